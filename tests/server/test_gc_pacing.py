"""The GC pacer: full collections wait for calm, bursts are left alone, memory stays bounded."""

import gc

import pytest

from wenzheng_studio.server.gc_pacing import NEVER, YOUNG_THRESHOLD, GcPacer


class FakeCollector:
    """Records what the pacer asks of the collector; `pending` is gen 0's object count."""

    def __init__(self):
        self.calls: list = []
        self.enabled = True
        self.pending = 0
        self.threshold = (700, 10, 10)

    def collect(self, generation=2):
        self.calls.append(("collect", generation))
        self.pending = 0
        return 0

    def freeze(self):
        self.calls.append("freeze")

    def unfreeze(self):
        self.calls.append("unfreeze")

    def enable(self):
        self.enabled = True

    def disable(self):
        self.enabled = False

    def get_count(self):
        return (self.pending, 0, 0)

    def get_threshold(self):
        return self.threshold

    def set_threshold(self, *t):
        self.threshold = t


class Show:
    """Activity counters and a clock the test moves by hand."""

    def __init__(self):
        self.t = 1000.0
        self.events = 0
        self.gone = 0


def pacer(show: Show, fake: FakeCollector, **kw) -> GcPacer:
    return GcPacer(lambda: show.events, lambda: show.gone, now=lambda: show.t, collector=fake, **kw)


def run_for(p: GcPacer, show: Show, seconds: float, *, events_per_step: int = 0, departures_per_step: int = 0,
            step_s: float = 0.25) -> list[str]:
    ran = []
    for _ in range(int(seconds / step_s)):
        show.t += step_s
        show.events += events_per_step + departures_per_step
        show.gone += departures_per_step
        kind = p.step()
        if kind:
            ran.append(kind)
    return ran


def test_install_takes_the_full_collection_off_the_automatic_schedule_and_uninstall_restores_it():
    fake, show = FakeCollector(), Show()
    p = pacer(show, fake)
    p.install()
    assert fake.threshold == (YOUNG_THRESHOLD, 10, NEVER)
    assert fake.calls == [("collect", 2), "freeze"]
    p.uninstall()
    assert fake.threshold == (700, 10, 10) and fake.calls[-1] == "unfreeze" and fake.enabled


def test_a_burst_disables_collection_and_nothing_full_runs_until_it_is_calm():
    fake, show = FakeCollector(), Show()
    p = pacer(show, fake, shallow_every_s=5)
    ran = run_for(p, show, 20, events_per_step=50)  # a 20 s burst, well past shallow_every_s
    assert ran == [] and not fake.enabled
    ran = run_for(p, show, 2.0)
    assert ran == ["shallow"] and fake.enabled  # 2 s of calm: young generations, then freeze
    assert fake.calls[-2:] == [("collect", 1), "freeze"]


def test_young_objects_piling_up_in_a_burst_are_collected_at_the_cap():
    fake, show = FakeCollector(), Show()
    p = pacer(show, fake, young_cap=1000)
    show.events += 1
    show.t += 0.25
    p.step()
    fake.pending = 999
    assert run_for(p, show, 0.25, events_per_step=1) == []
    fake.pending = 1000
    assert run_for(p, show, 0.25, events_per_step=1) == ["young"]
    assert fake.calls[-1] == ("collect", 1) and "freeze" not in fake.calls


def test_between_votes_young_objects_are_collected_early_so_a_vote_burst_starts_empty():
    """Phones connecting (busy, no ballots) get a young collection from 20,000 pending objects;
    while ballots are being acked the pacer waits for the cap, as before."""
    fake, show = FakeCollector(), Show()
    votes = {"acked": 0}
    p = GcPacer(lambda: show.events, lambda: show.gone, votes=lambda: votes["acked"], now=lambda: show.t,
                collector=fake, young_cap=100_000, young_between_votes=20_000)
    fake.pending = 19_999
    assert run_for(p, show, 0.5, events_per_step=100) == []  # connecting, under the early mark
    fake.pending = 20_000
    assert run_for(p, show, 0.25, events_per_step=100) == ["young"]  # connecting: collected early
    for _ in range(4):  # now voting: 20,000, 50,000, 99,999 pending wait; the cap does not
        votes["acked"] += 500
        fake.pending = {0: 20_000, 1: 50_000, 2: 99_999, 3: 100_000}[_]
        assert run_for(p, show, 0.25, events_per_step=500) == ([] if _ < 3 else ["young"])
    fake.pending = 30_000  # the burst is over (no new ballot since the last look): early again
    assert run_for(p, show, 0.25, events_per_step=1) == ["young"]
    assert "freeze" not in fake.calls


def test_hang_ups_bring_a_deep_collection_once_calm():
    fake, show = FakeCollector(), Show()
    p = pacer(show, fake, deep_after_departures=1000)
    assert run_for(p, show, 2, departures_per_step=100) == []  # 800 hung up, still busy
    assert run_for(p, show, 1, departures_per_step=100) == []  # 1,200 hung up, still busy
    assert run_for(p, show, 2.5) == ["deep"]
    assert fake.calls[-3:] == ["unfreeze", ("collect", 2), "freeze"]
    assert run_for(p, show, 10) == []  # counted from the deep collection on


def test_a_show_that_never_calms_still_gets_a_deep_collection():
    fake, show = FakeCollector(), Show()
    p = pacer(show, fake, deep_every_s=100, shallow_every_s=1e9)
    ran = run_for(p, show, 250, events_per_step=1)
    assert ran == ["deep"]  # at 2 × deep_every_s, busy or not
    assert p.collections["deep"] == 1


def test_a_calm_show_gets_a_deep_collection_every_deep_every_s_and_shallow_ones_between():
    fake, show = FakeCollector(), Show()
    p = pacer(show, fake, deep_every_s=100, shallow_every_s=30)
    ran = run_for(p, show, 100.25)
    assert ran == ["shallow", "shallow", "shallow", "deep"]


@pytest.mark.parametrize("kind", ["young", "shallow", "deep"])
def test_the_real_collector_survives_every_kind(kind):
    """Against CPython's gc itself: thresholds set, collections run, everything restored."""
    before = gc.get_threshold()
    show = Show()
    p = GcPacer(lambda: show.events, lambda: show.gone, now=lambda: show.t)
    p.install()
    try:
        assert gc.get_threshold()[2] == NEVER and gc.get_freeze_count() > 0
        assert p._collect(kind) == kind
        assert p.collections[kind] == 1
    finally:
        p.uninstall()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0 and gc.isenabled()
