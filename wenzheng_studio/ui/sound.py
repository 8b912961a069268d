"""Sound cues on the director's PC: the bundled WAVs through miniaudio (docs/ARCHITECTURE.md says why).

Fails soft: a PC without an audio device (or with a broken one) logs one line and stays
silent; nothing here may ever raise into the window's clock tick. The WAVs are decoded
once at start; each cue replaces the one still sounding, on miniaudio's own device thread,
so the GUI thread never waits for a sound.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Iterator

from ..paths import assets_dir

log = logging.getLogger(__name__)
RATE, CHANNELS = 44100, 1
RETRY_S = 60.0  # a PC whose device failed tries again after this (a headset plugged in later)
CUE_FILES = {"warning": "warning.wav", "zero": "zero.wav"}


def sounds_dir() -> Path:
    return assets_dir() / "sounds"


def _frames(samples, channels: int) -> Iterator:
    """miniaudio's callback generator: sends how many frames it wants, gets that many samples."""
    wanted = yield b""
    pos = 0
    while pos < len(samples):
        step = wanted * channels
        chunk = samples[pos:pos + step]
        pos += step
        wanted = yield chunk


class CuePlayer:
    def __init__(self, folder: Path | None = None, backends: list | None = None):
        self.folder = folder or sounds_dir()
        self.backends = backends  # None: the platform's own (WASAPI, Core Audio, PulseAudio/ALSA)
        self.played: list[str] = []  # cues handed to the audio device (tests, the log)
        self.broken: str | None = None  # why this PC plays nothing, once known
        self._device = None
        self._retry_at = 0.0
        self._sounds: dict[str, object] = {}
        try:
            import miniaudio
        except ImportError as exc:  # a stripped install: silence, said once
            self._fail(f"miniaudio is not installed ({exc})")
            return
        self._ma = miniaudio
        for cue, name in CUE_FILES.items():
            try:
                decoded = miniaudio.decode_file(str(self.folder / name), output_format=miniaudio.SampleFormat.SIGNED16,
                                                nchannels=CHANNELS, sample_rate=RATE)
                self._sounds[cue] = decoded.samples
            except Exception as exc:
                self._fail(f"cannot read {self.folder / name}: {exc}")

    def _fail(self, why: str) -> None:
        if self.broken is None:
            log.warning("sound cues are off on this PC: %s", why)
        self.broken = why

    def play(self, cue: str) -> bool:
        """Starts `cue` ("warning" or "zero"); False (and a log line the first time) if it cannot sound."""
        samples = self._sounds.get(cue)
        if samples is None:
            if self.broken is None:
                self._fail(f"no sound for the cue {cue!r}")
            return False
        if self._device is None and time.monotonic() < self._retry_at:
            return False  # the device failed a moment ago: not again on every cue
        try:
            if self._device is None:
                self._open()
            else:
                self._device.stop()  # a new cue cuts the one still sounding
            stream = _frames(samples, CHANNELS)
            next(stream)
            self._device.start(stream)
        except Exception as exc:  # no device, device unplugged, driver refuses: never a crash
            self._fail(f"{type(exc).__name__}: {exc}")
            self._retry_at = time.monotonic() + RETRY_S
            self.close()
            return False
        self.played.append(cue)
        return True

    def _open(self) -> None:
        self._device = self._ma.PlaybackDevice(
            output_format=self._ma.SampleFormat.SIGNED16, nchannels=CHANNELS, sample_rate=RATE,
            buffersize_msec=40, backends=self.backends, app_name="Wenzheng Studio")

    def prepare(self) -> bool:
        """Opens the audio device now (when the director ticks 提示音), so the first cue does not
        wait for it; False (and the log line) if there is none."""
        if self.broken is not None and not self._sounds:
            return False
        if self._device is None and time.monotonic() >= self._retry_at:
            try:
                self._open()
            except Exception as exc:
                self._fail(f"{type(exc).__name__}: {exc}")
                self._retry_at = time.monotonic() + RETRY_S
                self.close()
        return self._device is not None

    def close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            try:
                device.close()
            except Exception:
                log.debug("closing the audio device failed", exc_info=True)
