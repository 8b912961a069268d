"""Sound cues on the director's PC: the clocks panel sounds them at the right moments (a fake
clock through whole speeches), and the player plays the bundled WAVs or fails soft."""

from __future__ import annotations

import logging
import time

import pytest

from wenzheng_studio.ui.control_room.clocks_panel import ClocksPanel
from wenzheng_studio.ui.control_room.i18n import Translator
from wenzheng_studio.ui.control_room.live_clock import LiveClock
from wenzheng_studio.ui.sound import CUE_FILES, CuePlayer, sounds_dir

T0 = 1_800_000_000.0


class FakeTime:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


class RecordingPlayer:
    def __init__(self, clock):
        self.clock, self.played = clock, []

    def prepare(self):
        return True

    def play(self, cue):
        self.played.append((round(self.clock.t - 1000.0, 2), cue))
        return True


def pushed(at: float, remaining: float, running: bool, duration=30.0, warning=10.0):
    return {"show": {"status": "live"}, "segment": {}, "server_time": T0 + at,
            "timer": {"label": "王建国", "remaining_s": remaining, "running": running, "duration_s": duration,
                      "elapsed_s": duration - remaining, "warning_s": warning, "danger_s": 5.0}}


@pytest.fixture
def panel(qtbot):
    p = ClocksPanel(Translator())
    qtbot.addWidget(p)
    return p


def drive(panel, live, fake, seconds, step=0.04):
    for _ in range(round(seconds / step)):
        fake.t += step
        panel.refresh(live.read(), False)


def test_the_cue_sounds_once_at_warning_once_at_zero_and_again_after_a_reset(panel):
    fake = FakeTime()
    live = LiveClock(monotonic=fake, wall=lambda: T0 + fake.t - 1000.0)
    player = panel.player = RecordingPlayer(fake)
    panel.sound.setChecked(True)
    live.update(pushed(0, 30, True))
    drive(panel, live, fake, 40)  # 25 readings a second for 40 s: ten of them over time
    assert [cue for _, cue in player.played] == ["warning", "zero"]
    assert 19.9 <= player.played[0][0] <= 20.05 and 29.9 <= player.played[1][0] <= 30.05, player.played

    live.update(pushed(40, 30, False))  # timer.reset: back to 30 s, stopped
    drive(panel, live, fake, 2)
    live.update(pushed(42, 30, True))  # and started again
    drive(panel, live, fake, 31)
    assert [cue for _, cue in player.played] == ["warning", "zero", "warning", "zero"]
    assert panel.cues_played == ["warning", "zero", "warning", "zero"]


def test_unchecked_the_cues_are_noted_but_silent(panel):
    fake = FakeTime()
    live = LiveClock(monotonic=fake, wall=lambda: T0 + fake.t - 1000.0)
    panel.player = player = RecordingPlayer(fake)
    assert not panel.sound.isChecked()
    live.update(pushed(0, 12, True))
    drive(panel, live, fake, 13)
    assert panel.cues_played == ["warning", "zero"] and player.played == []


def test_the_bundled_sounds_are_short_wavs():
    import wave

    for name in CUE_FILES.values():
        with wave.open(str(sounds_dir() / name)) as w:
            seconds = w.getnframes() / w.getframerate()
            assert w.getnchannels() == 1 and w.getsampwidth() == 2 and 0.2 <= seconds <= 1.0, (name, seconds)
    assert "licen" in (sounds_dir() / "README.md").read_text(encoding="utf-8").lower()


def test_the_player_plays_through_a_real_audio_device_without_hardware():
    """miniaudio's null backend: a device that consumes samples in real time, as a sound card does."""
    miniaudio = pytest.importorskip("miniaudio")
    player = CuePlayer(backends=[miniaudio.Backend.NULL])
    try:
        assert player.play("warning") and player.play("zero")  # the second cuts the first, no error
        device = player._device
        deadline = time.monotonic() + 3
        while device.callback_generator is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert device.callback_generator is None  # the whole sound went to the device
        assert player.played == ["warning", "zero"] and player.broken is None
    finally:
        player.close()


def test_no_audio_device_is_a_log_line_never_a_crash(monkeypatch, caplog):
    miniaudio = pytest.importorskip("miniaudio")
    tries = []

    def no_device(*args, **kwargs):
        tries.append(1)
        raise miniaudio.MiniaudioError("failed to init device", -401)

    monkeypatch.setattr(miniaudio, "PlaybackDevice", no_device)
    player = CuePlayer()
    with caplog.at_level(logging.WARNING, logger="wenzheng_studio.ui.sound"):
        assert player.play("warning") is False
        assert player.play("zero") is False
    assert len(tries) == 1  # not again on every cue: once a minute
    assert [r.message for r in caplog.records if "sound cues are off" in r.message] and "init device" in player.broken


def test_missing_sound_files_are_a_log_line_too(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="wenzheng_studio.ui.sound"):
        player = CuePlayer(folder=tmp_path)
        assert player.play("warning") is False
    assert player.broken and any("sound cues are off" in r.message for r in caplog.records)


def test_ticking_the_box_opens_the_device_before_the_first_cue(panel):
    miniaudio = pytest.importorskip("miniaudio")
    panel.player = CuePlayer(backends=[miniaudio.Backend.NULL])
    try:
        assert panel.player._device is None
        panel.sound.setChecked(True)
        assert panel.player._device is not None
        started = time.perf_counter()
        assert panel.player.play("zero")
        assert time.perf_counter() - started < 0.05  # the GUI thread hands the sound over and goes on
    finally:
        panel.player.close()
