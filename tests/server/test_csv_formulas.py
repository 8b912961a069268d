"""No CSV the engine writes can carry a spreadsheet formula (issue #11): every text cell of
report.csv, ballots.csv and summary.csv is defused by the one writer, numbers stay numbers."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import pytest
import requests
import socketio


pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]

LEADS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?(:\d\d){0,2}")  # -3, -0.5, and the report's signed mm:ss
TITLE = '=HYPERLINK("http://x","y")'
LABEL = "@SUM(A1)"
SEGMENT = "=SUM(1,2) 成果展示"


def api(ep, method, path, body=None, token=True):
    headers = {"Authorization": f"Bearer {ep.token}"} if token else {}
    r = requests.request(method, ep.url + path, json=body, headers=headers, timeout=10)
    assert r.status_code < 300, (path, r.status_code, r.text)
    return r


def cells(resp) -> list[list[str]]:
    assert resp.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline="")))


def formulas(rows: list[list[str]]) -> list[str]:
    return [c for row in rows for c in row if c.startswith(LEADS) and not NUMBER.fullmatch(c)]


@pytest.fixture
def hostile_engine(engine_process, tmp_path):
    """An engine whose scene has a segment titled like a formula (scene text is data too)."""
    scene = tmp_path / "hostile.toml"
    source = (ROOT / "scenes" / "baixing-wenzheng.toml").read_text(encoding="utf-8")
    assert 'title = "成果展示"' in source
    scene.write_text(source.replace('title = "成果展示"', f'title = "{SEGMENT}"'), encoding="utf-8")
    ep = dataclasses.replace(engine_process, db=tmp_path / "hostile.db", port=0, proc=None, url="",
                             extra=("--scene", str(scene)))
    ep.start()
    try:
        yield ep
    finally:
        ep.kill()


def test_no_csv_cell_is_a_formula(hostile_engine):
    ep = hostile_engine
    poll = api(ep, "POST", "/api/polls", {"title": TITLE, "kind": "choice", "choices": [
        {"key": "a", "label": LABEL}, {"key": "b", "label": "+1+cmd|' /C calc'!A0"},
        {"key": "c", "label": "-2+3"}]}).json()["id"]
    api(ep, "POST", f"/api/polls/{poll}/open")
    sio = socketio.Client(reconnection=False)
    sio.connect(ep.url, namespaces=["/audience"], transports=["websocket"], wait_timeout=5,
                auth={"token": api(ep, "POST", "/api/voter", token=False).json()["token"]})
    try:
        assert sio.call("vote", {"poll": poll, "choice": "a"}, namespace="/audience", timeout=10) == {"ok": True}
    finally:
        sio.disconnect()
    api(ep, "POST", f"/api/polls/{poll}/close")
    api(ep, "POST", "/api/questions", {"text": "=WEBSERVICE(\"http://x\")", "name": "@admin",
                                       "district": "+城东"}, token=False)
    api(ep, "POST", "/api/control", {"action": "segment.next"})  # segments get actual and signed delta times

    report = cells(api(ep, "GET", "/api/report.csv"))
    ballots = cells(api(ep, "GET", f"/api/polls/{poll}/ballots.csv"))
    summary = cells(api(ep, "GET", f"/api/polls/{poll}/summary.csv"))
    for name, rows in (("report.csv", report), ("ballots.csv", ballots), ("summary.csv", summary)):
        assert formulas(rows) == [], name

    flat = {c for row in report for c in row}
    assert {"'" + TITLE, "'" + LABEL, "'" + SEGMENT, "'=WEBSERVICE(\"http://x\")", "'@admin", "'+城东",
            "'-2+3"} <= flat
    assert ballots[1][8] == "'" + LABEL
    assert ["title", "'" + TITLE] in summary
    # Numbers stay numbers: the segments not yet played ran short, their 提前 is a negative
    # duration, written as is next to the plain seconds.
    segment_rows = [r for r in report if len(r) == 6 and NUMBER.fullmatch(r[4] or "x")]
    assert any(r[3].startswith("-") and NUMBER.fullmatch(r[3]) for r in segment_rows), segment_rows


def test_the_writer_defuses_text_but_leaves_numbers():
    from wenzheng_studio.core.report import SafeCsvWriter

    out = io.StringIO()
    SafeCsvWriter(out).writerow(
        [-3, -0.5, 2.25, None, "-3", "-0.5", "-1:05", "=1+1", "@SUM(A1)", "+1", "-2+3", "\t=1", "\r=1", "-", "a=b"])
    assert next(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [
        "-3", "-0.5", "2.25", "", "-3", "-0.5", "-1:05", "'=1+1", "'@SUM(A1)", "'+1", "'-2+3", "'\t=1", "'\r=1",
        "'-", "a=b"]
