"""Sound cues sound on the crossing, not on every reading: driven through whole speeches with a fake clock."""

from wenzheng_studio.core.clock import FakeClock
from wenzheng_studio.core.cues import CUE_WARNING, CUE_ZERO, CueTracker, TimerReading
from wenzheng_studio.core.timers import SpeakerTimer

TICK = 0.04  # a view reads the timer 25 times a second


def reading(timer: SpeakerTimer, now: float, jitter: float = 0.0) -> TimerReading:
    active = timer.running or timer.banked_s > 0 or timer.duration_s > 0
    return TimerReading(active, timer.running, timer.remaining(now) + jitter, timer.warning_s, timer.cut_at_zero)


def run(tracker: CueTracker, timer: SpeakerTimer, clock: FakeClock, seconds: float, jitter=lambda i: 0.0):
    """Reads the timer every TICK for `seconds`; returns [(time into the run, cue)]."""
    heard, start = [], clock.now()
    for i in range(round(seconds / TICK)):
        clock.advance(TICK)
        cue = tracker.observe(reading(timer, clock.now(), jitter(i)))
        if cue:
            heard.append((round(clock.now() - start, 2), cue))
    return heard


def test_once_at_the_warning_and_once_at_zero_over_a_whole_speech():
    clock, timer, tracker = FakeClock(), SpeakerTimer(), CueTracker()
    timer.start(clock.now(), 30, "王建国", warning_s=10, danger_s=5)
    heard = run(tracker, timer, clock, 45)  # 15 s over time: counting up must stay silent
    assert [cue for _, cue in heard] == [CUE_WARNING, CUE_ZERO]
    assert 19.9 <= heard[0][0] <= 20.05 and 29.9 <= heard[1][0] <= 30.05, heard


def test_again_after_a_reset_and_after_time_is_added():
    clock, timer, tracker = FakeClock(), SpeakerTimer(), CueTracker()
    timer.start(clock.now(), 30, "王建国", warning_s=10)
    assert [c for _, c in run(tracker, timer, clock, 25)] == [CUE_WARNING]
    timer.reset()
    timer.resume(clock.now())
    assert [c for _, c in run(tracker, timer, clock, 31)] == [CUE_WARNING, CUE_ZERO]
    timer.add(20)  # +20 s from over time: back above the warning, so both sound again
    assert [c for _, c in run(tracker, timer, clock, 21)] == [CUE_WARNING, CUE_ZERO]


def test_a_pause_in_the_warning_does_not_sound_it_again():
    clock, timer, tracker = FakeClock(), SpeakerTimer(), CueTracker()
    timer.start(clock.now(), 20, "甲", warning_s=10)
    assert [c for _, c in run(tracker, timer, clock, 12)] == [CUE_WARNING]
    timer.pause(clock.now())
    assert run(tracker, timer, clock, 5) == []
    timer.resume(clock.now())
    assert [c for _, c in run(tracker, timer, clock, 9)] == [CUE_ZERO]


def test_push_jitter_at_the_line_is_not_a_second_crossing():
    """Interpolation and the next push disagree by milliseconds: ±30 ms around 0.00 sounds once."""
    clock, timer, tracker = FakeClock(), SpeakerTimer(), CueTracker()
    timer.start(clock.now(), 12, "甲", warning_s=6)
    heard = run(tracker, timer, clock, 16, jitter=lambda i: 0.03 if i % 2 else -0.03)
    assert [c for _, c in heard] == [CUE_WARNING, CUE_ZERO]


def test_the_first_reading_is_silent_a_window_opened_mid_warning():
    clock, timer, tracker = FakeClock(), SpeakerTimer(), CueTracker()
    timer.start(clock.now(), 30, "甲", warning_s=10)
    clock.advance(25)
    assert tracker.observe(reading(timer, clock.now())) is None  # already in the warning: nothing to announce
    assert [c for _, c in run(tracker, timer, clock, 6)] == [CUE_ZERO]


def test_a_timer_cut_at_zero_sounds_zero_when_the_engine_stops_it():
    """A hearing report: the engine pauses the timer at exactly 0; the push that says so is the crossing."""
    clock, timer, tracker = FakeClock(), SpeakerTimer(), CueTracker()
    timer.start(clock.now(), 300, "住建局", warning_s=60, cut_at_zero=True)
    assert [c for _, c in run(tracker, timer, clock, 299.5)] == [CUE_WARNING]
    timer.pause(timer.started_at + timer.duration_s)  # what Show.tick does at the cut
    assert tracker.observe(reading(timer, clock.now() + 1)) == CUE_ZERO
    assert run(tracker, timer, clock, 3) == []


def test_no_timer_no_cue_and_a_new_speaker_is_a_new_count():
    clock, timer, tracker = FakeClock(), SpeakerTimer(), CueTracker()
    assert run(tracker, timer, clock, 2) == []
    timer.start(clock.now(), 5, "甲", warning_s=2)
    assert [c for _, c in run(tracker, timer, clock, 6)] == [CUE_WARNING, CUE_ZERO]
    timer.start(clock.now(), 5, "乙", warning_s=2)  # speaker.next: the next one's 30 s
    assert [c for _, c in run(tracker, timer, clock, 6)] == [CUE_WARNING, CUE_ZERO]
