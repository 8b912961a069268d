"""Poll exports and the audit against a real engine: CSV of ballots, summary, recount."""

from __future__ import annotations

import csv
import dataclasses
import io
import sqlite3

import pytest
import requests
import socketio

from wenzheng_studio.core.polls import Poll
from wenzheng_studio.server.exports import recount

pytestmark = pytest.mark.timeout(120)


def api(ep, method, path, body=None, token=True):
    headers = {"Authorization": f"Bearer {ep.token}"} if token else {}
    return requests.request(method, ep.url + path, json=body, headers=headers, timeout=10)


def vote(ep, auth, poll_id, choice):
    sio = socketio.Client(reconnection=False)
    sio.connect(ep.url, namespaces=["/audience"], auth=auth, transports=["websocket"], wait_timeout=5)
    try:
        return sio.call("vote", {"poll": poll_id, "choice": choice}, namespace="/audience", timeout=10)
    finally:
        sio.disconnect()


def read_csv(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.content.startswith("\ufeff".encode())  # Excel reads the Chinese as UTF-8
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


@pytest.fixture
def report_engine(engine_process, tmp_path):
    """The report-meeting scene: a main venue and twelve sub-venues (its own engine and db)."""
    ep = dataclasses.replace(engine_process, db=tmp_path / "report.db", port=0, proc=None, url="",
                             extra=("--scene", "scenes/sanmin-report.toml"))
    ep.start()
    try:
        yield ep
    finally:
        ep.kill()


def cast_ballots(ep, poll_id):
    main = api(ep, "POST", "/api/seats", {"venue": "main", "count": 2}).json()["seats"]
    sub = api(ep, "POST", "/api/seats", {"venue": "sub03", "count": 1}).json()["seats"]
    plan = [({"seat": main[0]["seat"], "key": main[0]["key"]}, "good"),
            ({"seat": main[1]["seat"], "key": main[1]["key"]}, "poor"),
            ({"seat": sub[0]["seat"], "key": sub[0]["key"]}, "good")]
    for choice in ("good", "fair", "fair", "blank"):
        plan.append(({"token": api(ep, "POST", "/api/voter", token=False).json()["token"]}, choice))
    for auth, choice in plan:
        assert vote(ep, auth, poll_id, choice) == {"ok": True}


def test_ballots_csv_summary_and_audit_agree_with_the_live_tally(report_engine):
    ep = report_engine
    poll_id = api(ep, "POST", "/api/polls", {"title": "市交通局 满意度测评", "kind": "rating4"}).json()["id"]
    api(ep, "POST", f"/api/polls/{poll_id}/open")
    cast_ballots(ep, poll_id)
    api(ep, "POST", f"/api/polls/{poll_id}/close")

    for path in ("ballots.csv", "summary.csv", "audit"):
        assert api(ep, "GET", f"/api/polls/{poll_id}/{path}", token=False).status_code == 401
        assert api(ep, "GET", f"/api/polls/999/{path}").status_code == 404

    rows = read_csv(api(ep, "GET", f"/api/polls/{poll_id}/ballots.csv"))
    assert rows[0] == ["seq", "poll", "time", "epoch", "group", "venue", "voter", "choice", "label", "addr"]
    body = rows[1:]
    assert {r[9] for r in body} == {"127.0.0.1"}  # the phone's address, appended last
    assert len(body) == 7
    assert [r[0] for r in body] == [str(n) for n in range(1, 8)]
    assert sorted((r[4], r[5], r[7]) for r in body) == sorted([
        ("studio", "main", "good"), ("studio", "main", "poor"), ("studio", "sub03", "good"),
        ("remote", "remote", "good"), ("remote", "remote", "fair"), ("remote", "remote", "fair"),
        ("remote", "remote", "average")])  # the blank ballot counts as 一般
    assert {r[8] for r in body if r[7] == "average"} == {"一般"}
    assert all(r[2][:4].isdigit() and "T" in r[2] for r in body)
    assert sum(r[6].startswith("s:") for r in body) == 3 and sum(r[6].startswith("t:") for r in body) == 4

    summary = read_csv(api(ep, "GET", f"/api/polls/{poll_id}/summary.csv"))
    fields = {r[0]: r[1] for r in summary if len(r) == 2}
    assert fields["ballots"] == "7" and fields["state"] == "closed" and fields["title"] == "市交通局 满意度测评"
    assert float(fields["score"]) == pytest.approx((20 * 3 + 15 * 2 + 10 + 5) / 7, abs=0.01)
    header = next(r for r in summary if r and r[0] == "choice")
    table = {r[0]: dict(zip(header, r)) for r in summary[summary.index(header) + 1:]}
    assert table["good"]["studio"] == "2" and table["good"]["remote"] == "1" and table["good"]["total"] == "3"
    assert table["good"]["venue:main"] == "1" and table["good"]["venue:sub03"] == "1"
    assert table["poor"]["points"] == "5"

    audit = api(ep, "GET", f"/api/polls/{poll_id}/audit").json()
    assert audit["match"] is True and audit["differences"] == []
    assert audit["recount"]["tally"] == audit["live"]["tally"] == api(ep, "GET", f"/api/polls/{poll_id}").json()["tally"]
    assert audit["recount"]["venues"] == {"main": {"good": 1, "fair": 0, "average": 0, "poor": 1},
                                          "sub03": {"good": 1, "fair": 0, "average": 0, "poor": 0}}
    assert audit["ballots_logged"] == 7 and audit["late_ballots"] == 0 and audit["early_ballots"] == 0
    assert audit["first_ballot_at"] <= audit["last_ballot_at"] <= audit["closed_at"]

    # After a kill -9 the live tally is rebuilt from the log: still equal.
    ep.kill()
    ep.start()
    again = api(ep, "GET", f"/api/polls/{poll_id}/audit").json()
    assert again["match"] is True and again["live"] == audit["live"]


def test_audit_catches_a_ballot_the_tally_never_counted(engine_process):
    ep = engine_process
    poll_id = api(ep, "POST", "/api/polls", {"title": "赞成吗", "kind": "yesno"}).json()["id"]
    api(ep, "POST", f"/api/polls/{poll_id}/open")
    assert vote(ep, {"token": api(ep, "POST", "/api/voter", token=False).json()["token"]}, poll_id, "yes") == {"ok": True}
    api(ep, "POST", f"/api/polls/{poll_id}/close")
    # A row slipped into the log behind the engine's back: the recount must disagree.
    with sqlite3.connect(ep.db, timeout=10) as db:
        db.execute("INSERT INTO ballots (poll, voter, grp, venue, choice, t) VALUES (?, 't:intruder', 'remote', "
                   "'remote', 'no', 9e9)", (poll_id,))
    audit = api(ep, "GET", f"/api/polls/{poll_id}/audit").json()
    assert audit["match"] is False
    assert audit["differences"] == [{"group": "remote", "choice": "no", "live": 0, "recount": 1}]
    assert audit["late_ballots"] == 1


def test_csv_cells_cannot_become_spreadsheet_formulas(engine_process):
    ep = engine_process
    poll_id = api(ep, "POST", "/api/polls", {"title": "=HYPERLINK(\"http://x\")", "kind": "choice", "choices": [
        {"key": "a", "label": "=1+1"}, {"key": "b", "label": "@SUM(A1)"}]}).json()["id"]
    api(ep, "POST", f"/api/polls/{poll_id}/open")
    assert vote(ep, {"token": api(ep, "POST", "/api/voter", token=False).json()["token"]}, poll_id, "a") == {"ok": True}
    rows = read_csv(api(ep, "GET", f"/api/polls/{poll_id}/ballots.csv"))
    assert rows[1][8] == "'=1+1"
    summary = read_csv(api(ep, "GET", f"/api/polls/{poll_id}/summary.csv"))
    assert ["title", "'=HYPERLINK(\"http://x\")"] in summary
    assert any(r[:2] == ["b", "'@SUM(A1)"] for r in summary)


def test_recount_rebuilds_groups_and_venues_and_flags_unknown_rows():
    poll = Poll.create(1, {"title": "t", "kind": "yesno"}, 0.0, ["main", "sub1"])
    rows = [{"grp": "studio", "venue": "sub1", "choice": "yes"}, {"grp": "remote", "venue": "remote", "choice": "no"},
            {"grp": "remote", "venue": "remote", "choice": "maybe"}, {"grp": "press", "venue": "x", "choice": "yes"}]
    counted = recount(poll, rows)
    assert counted["tally"] == {"studio": {"yes": 1, "no": 0}, "remote": {"yes": 0, "no": 1}}
    assert counted["venues"] == {"sub1": {"yes": 1, "no": 0}}
    assert counted["ballots"] == 2 and counted["unrecognised"] == 2
