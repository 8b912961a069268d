"""The report says what was on air: the weighted shares shown, beside the raw counts, in the
CSV and the PDF; an accidental end and its resume; and `wenzheng-studio report` with no display."""

import csv
import io
import shutil

import pytest
import requests
import socketio

from pdf_text import report_pdf_text

pytestmark = pytest.mark.timeout(120)


def api(ep, method, path, body=None, token=True):
    headers = {"Authorization": f"Bearer {ep.token}"} if token else {}
    return requests.request(method, ep.url + path, json=body, headers=headers, timeout=10)


def vote(ep, auth, poll, choice):
    phone = socketio.Client(reconnection=False)
    phone.connect(ep.url, namespaces=["/audience"], auth=auth, transports=["websocket"], wait_timeout=10)
    try:
        assert phone.call("vote", {"poll": poll, "choice": choice}, namespace="/audience", timeout=10) == {"ok": True}
    finally:
        phone.disconnect()


@pytest.fixture
def voted_show(engine_process):
    """Studio 1 yes / 1 no, remote 3 yes: raw 80 / 20 %, on air (50:50 weighted) 75 / 25 %."""
    ep = engine_process
    api(ep, "POST", "/api/control", {"action": "segment.next"})
    poll = api(ep, "POST", "/api/polls", {"title": "是否同意整改方案", "kind": "yesno"}).json()["id"]
    api(ep, "POST", f"/api/polls/{poll}/open")
    seats = api(ep, "POST", "/api/seats", {"venue": "main", "count": 2}).json()["seats"]
    for seat, choice in zip(seats, ("yes", "no")):
        vote(ep, {"seat": seat["seat"], "key": seat["key"]}, poll, choice)
    for _ in range(3):
        vote(ep, {"token": api(ep, "POST", "/api/voter", token=False).json()["token"]}, poll, "yes")
    on_air = api(ep, "GET", "/api/state").json()["poll"]["combined"]
    assert on_air == {"yes": 75.0, "no": 25.0}
    api(ep, "POST", "/api/control", {"action": "show.end"})
    api(ep, "POST", "/api/control", {"action": "show.resume"})
    return ep, poll


def test_report_csv_has_the_weighted_shares_that_were_on_air(voted_show):
    ep, poll = voted_show
    rows = list(csv.reader(io.StringIO(api(ep, "GET", "/api/report.csv").text.lstrip("\ufeff"))))
    header = next(r for r in rows if r and r[0] == "投票编号")
    assert header[-2] == "合计占比%" and header[-1].startswith("加权占比%")
    poll_rows = {r[5]: r for r in rows if r and r[0] == str(poll)}
    assert [poll_rows["赞成"][i] for i in (6, 7, 8, 9, 10)] == ["1", "3", "4", "80.0", "75.0"]
    assert [poll_rows["反对"][i] for i in (9, 10)] == ["20.0", "25.0"]
    assert any(r and r[0] == "节目误结束" for r in rows), "the accidental end and its resume are in the report"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_report_command_runs_without_a_display_and_the_pdf_shows_the_weighted_shares(voted_show, tmp_path):
    ep, _ = voted_show
    text = report_pdf_text(ep.url, ep.token, tmp_path)
    assert "加权 75.0%" in text and "加权 25.0%" in text and "80%" in text
    assert "误结束" in text
