"""The on-air rules through the real server: hold, the answer following its question,
resume after an accidental end (surviving kill -9), and a rehearsal on its own database."""

import subprocess
import sys

import pytest
import requests

from harness import ServerProcess, engine_argv  # bench/ (on the path: tests/conftest.py)

pytestmark = pytest.mark.timeout(120)


def api(ep, method, path, body=None):
    return requests.request(method, ep.url + path, json=body, headers={"Authorization": f"Bearer {ep.token}"},
                            timeout=10)


def control(ep, action, **fields):
    return api(ep, "POST", "/api/control", {"action": action, **fields})


def segment_index(ep, key):
    return next(r["index"] for r in api(ep, "GET", "/api/state").json()["running_order"] if r["key"] == key)


def test_hold_refuses_take_over_http(engine_process):
    ep = engine_process
    assert control(ep, "segment.next").status_code == 200
    assert control(ep, "segment.hold", on=True).json()["segment"]["hold"] is True
    refused = control(ep, "segment.next")
    assert refused.status_code == 409 and refused.json()["error"] == "held"
    assert control(ep, "segment.hold", on=False).status_code == 200
    assert control(ep, "segment.next").json()["segment"]["index"] == 1


def test_f9_puts_the_question_and_its_unit_head_on_air(engine_process):
    ep = engine_process
    control(ep, "segment.goto", index=segment_index(ep, "questions"))
    qid = api(ep, "POST", "/api/questions", {"text": "小区垃圾没人收", "unit": "市城市管理局",
                                              "source": "hotline"}).json()["id"]
    for action in ("screen", "approve", "on_air"):  # one director does both reviews: override on record
        body = {"action": action, **({"override": True} if action == "approve" else {})}
        assert api(ep, "POST", f"/api/questions/{qid}", body).status_code == 200
    state = api(ep, "GET", "/api/state").json()
    assert state["question"]["id"] == qid
    assert state["speaker"]["name"] == "李明华" and state["timer"]["running"]
    assert api(ep, "POST", f"/api/questions/{qid}", {"action": "answered", "role": "head"}).status_code == 200
    state = api(ep, "GET", "/api/state").json()
    assert state["question"] is None and state["speaker"]["name"] == "李明华"


def test_resume_after_an_accidental_end_survives_kill_9(engine_process):
    ep = engine_process
    control(ep, "segment.next")
    control(ep, "segment.next")
    assert control(ep, "show.end").json()["show"]["status"] == "ended"
    resumed = control(ep, "show.resume").json()
    assert resumed["show"]["status"] == "live" and resumed["segment"]["index"] == 1
    ep.kill()
    ep.start()
    state = api(ep, "GET", "/api/state").json()
    assert state["show"]["status"] == "live" and state["segment"]["index"] == 1
    assert len(state["show"]["interruptions"]) == 1


class _Engine:
    def __init__(self, db, token, *extra):
        self.token, self.proc = token, ServerProcess(engine_argv(db, token, *extra))
        self.url = self.proc.url


def test_a_rehearsal_runs_on_its_own_database_and_says_so(tmp_path):
    real = tmp_path / "show.db"
    rehearsal = _Engine(real, "rehearsal-token", "--rehearsal")
    try:
        control(rehearsal, "segment.next")
        assert api(rehearsal, "GET", "/api/state").json()["show"]["rehearsal"] is True
        assert requests.get(rehearsal.url + "/api/scene", timeout=10).json()["rehearsal"] is True
        assert (tmp_path / "show.rehearsal.db").exists() and not real.exists()
        live = _Engine(real, "live-token")  # the real show runs beside it, untouched
        try:
            state = api(live, "GET", "/api/state").json()
            assert state["show"]["rehearsal"] is False and state["show"]["status"] == "standby"
        finally:
            live.proc.kill9()
    finally:
        rehearsal.proc.kill9()


def test_serve_help_names_rehearsal():
    out = subprocess.run([sys.executable, "-m", "wenzheng_studio", "serve", "--help"], capture_output=True,
                         text=True, timeout=30).stdout
    assert "--rehearsal" in out
