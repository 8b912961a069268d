"""The report carries the year's ranking (seed 004): the PDF has a page per group — rank, unit, the
four parts, composite, 群众满意单位 — with each unit's hearing score and its attending; the CSV
(report.csv and the report command's) carries the same figures and a hearing section."""

import csv
import io
import shutil
import time

import pytest
import requests
import socketio

from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.paths import scenes_dir

from pdf_text import report_pdf_text

pytestmark = pytest.mark.timeout(120)
SCENE_PATH = scenes_dir() / "pingyi-hearing.toml"
GROUP = "执法监督组"
UNITS = [u.name for u in load_scene(SCENE_PATH).units if u.group == GROUP]


def api(ep, method, path, body=None, **kw):
    return requests.request(method, ep.url + path, json=body, headers={"Authorization": f"Bearer {ep.token}"},
                            timeout=10, **kw)


@pytest.fixture
def scored_hearing(engine_process, tmp_path):
    """The hearing scene: 执法监督组 imported; 县公安局 heard by 3 seats of 4 attending (好, 较好, 一般 +
    one signed in who cast nothing), 县卫生局 by 2 with the director's attending 5."""
    ep = engine_process
    ep.kill()
    ep.db, ep.extra = tmp_path / "hearing.db", ("--scene", str(SCENE_PATH))
    ep.start()
    body = "unit,survey,review,assessment\n" + "".join(f"{u},{90 - i},80,70\n" for i, u in enumerate(UNITS))
    assert requests.post(ep.url + "/api/scores", data=body.encode(), timeout=10,
                         headers={"Authorization": f"Bearer {ep.token}", "Content-Type": "text/csv"}).status_code == 200
    seats = api(ep, "POST", "/api/seats", {"venue": "main", "count": 4}).json()["seats"]
    phones = []
    for seat in seats:  # every representative signs in (opens the seat link)
        phone = socketio.Client(reconnection=False)
        phone.connect(ep.url, auth={"seat": seat["seat"], "key": seat["key"]}, transports=["websocket"],
                      namespaces=["/audience"], wait_timeout=10)
        phones.append(phone)
    try:
        for unit, choices, attending in (("县公安局", ("good", "fair", "average"), None), ("县卫生局", ("good", "good"), 5)):
            body = {"title": f"请为{unit}评分", "kind": "rating4", "unit": unit}
            if attending:
                body["attending"] = attending
            pid = api(ep, "POST", "/api/polls", body).json()["id"]
            api(ep, "POST", f"/api/polls/{pid}/open", {})
            for phone, choice in zip(phones, choices):
                assert phone.call("vote", {"poll": pid, "choice": choice}, namespace="/audience", timeout=10) == {"ok": True}
            deadline = time.monotonic() + 5
            while api(ep, "GET", f"/api/polls/{pid}").json().get("attending") != (attending or 4):
                assert time.monotonic() < deadline, "the seats' sign-ins did not arrive"
                time.sleep(0.05)
            api(ep, "POST", f"/api/polls/{pid}/close", {})
    finally:
        for phone in phones:
            phone.disconnect()
    return ep


def test_report_csv_has_the_ranking_and_each_units_hearing_with_attending(scored_hearing):
    ep = scored_hearing
    rows = list(csv.reader(io.StringIO(api(ep, "GET", "/api/report.csv").text.lstrip("\ufeff"))))
    head = rows.index(["单位", "听证评议分数", "参加评议代表人数", "人数依据", "投票数", "投票编号", "投票标题"])
    hearing = {r[0]: r for r in rows[head + 1:] if r}
    assert hearing["县公安局"][1:5] == [str((20 + 15 + 10 + 10) / 4), "4", "座位签到", "3"]
    assert hearing["县卫生局"][1:5] == [str((20 + 20 + 3 * 10) / 5), "5", "导演录入", "2"]
    ranking = rows.index(["组别", "名次", "单位", "满意度测评(40%)", "政风建设年(20%)", "听证评议(20%)", "工作考核(20%)",
                          "总成绩", "群众满意单位"])
    first, second = rows[ranking + 1], rows[ranking + 2]
    health = 90 - UNITS.index("县卫生局")  # 87: survey a point above 县公安局's, and the better hearing
    assert first[:3] == [GROUP, "1", "县卫生局"] and float(first[7]) == round(health * .4 + 16 + 14 * 5 * .2 + 14, 2)
    assert first[8] == "是" and second[:3] == [GROUP, "2", "县公安局"] and second[8] == "", \
        "40% of two ranked units rounds to one"

@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_has_a_ranking_page_per_group_with_hearing_and_attending(scored_hearing, tmp_path):
    ep = scored_hearing
    pages = report_pdf_text(ep.url, ep.token, tmp_path).split("\f")
    board = [p for p in pages if f"群众满意单位评议 · {GROUP}" in p]
    assert len(board) == 1, "one page for the group"
    page = board[0]
    lines = [line.split() for line in page.splitlines()]
    police = next(line for line in lines if "县公安局" in line)
    survey = 90 - UNITS.index("县公安局")
    composite = round(survey * .4 + 16 + 13.75 * 5 * .2 + 14, 2)
    assert police == ["2", "县公安局", f"{survey:.2f}", "80.00", "13.75", "4", "70.00", f"{composite:.2f}"], police
    health = next(line for line in lines if "县卫生局" in line)
    assert health[:2] == ["1", "县卫生局"] and health[4:6] == ["14.00", "5"] and health[-1] == "群众满意单位", health
    unheard = next(line for line in lines if "县司法局" in line)
    assert unheard[0] == "—" and unheard[-1] == "—", "no hearing yet: no rank, no composite"
    for unit in UNITS:
        assert unit in page, unit
    assert any(f"群众满意单位评议 · {g}" in p for p in pages for g in ("综合管理组", "社会服务组")), \
        "every group of the scene has its page"
    csv_text = next(tmp_path.glob("*.csv")).read_text(encoding="utf-8")
    assert "听证评议分数" in csv_text and "县卫生局,14.0,5,导演录入" in csv_text
