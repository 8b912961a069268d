"""The /vote page in a real Chromium: phone viewport, WeChat's user agent, a real engine.

Covers the public page (token), a seat link (counts in studio), reload and second tab
(no second vote), a refused seat key, a forged token (replaced by a fresh one), a vote
tapped while the engine is down (reported, not counted) and the engine restarting on the
same port and database (the page reconnects, still shows 已投票, votes in the next poll).
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(90),
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs /usr/bin/chromium"),
]

WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; M2012K11AC) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
             "MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/4G Language/zh_CN")
VIEW = '#card[data-view="{}"]'


@pytest.fixture
def phone(browser):
    """A new phone: its own storage, 360x740, WeChat's user agent. Call it for more phones."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport={"width": 360, "height": 740}, user_agent=WECHAT_UA,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


def api(ep, method: str, path: str, body=None, operator: bool = True):
    headers = {"Content-Type": "application/json"}
    if operator:
        headers["Authorization"] = f"Bearer {ep.token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(ep.url + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def open_poll(ep, title="您对本次整改答复是否满意？", kind="satisfaction", **open_body) -> int:
    poll_id = api(ep, "POST", "/api/polls", {"title": title, "kind": kind})["id"]
    api(ep, "POST", f"/api/polls/{poll_id}/open", open_body or None)
    return poll_id


def tally(ep, poll_id: int) -> dict:
    return api(ep, "GET", f"/api/polls/{poll_id}")["tally"]


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_public_vote_counts_once_across_reload_and_second_tab(engine_process, phone):
    ep = engine_process
    ctx = phone()
    page = ctx.new_page()
    page.goto(ep.url + "/vote")
    page.wait_for_selector(VIEW.format("waiting"))
    assert "请稍候，投票即将开始" in page.inner_text("#card")
    assert page.inner_text("#who") == "场外观众"

    poll_id = open_poll(ep)
    page.wait_for_selector(VIEW.format("poll"))  # switched by itself, no reload
    assert page.inner_text("#title") == "您对本次整改答复是否满意？"
    labels = page.locator("button.choice").all_inner_texts()
    assert labels == ["满意", "基本满意", "不满意"]
    box = page.locator('button[data-choice="satisfied"]').bounding_box()
    assert box["height"] >= 56 and box["width"] >= 300  # a thumb-sized target

    page.tap('button[data-choice="satisfied"]')
    page.wait_for_selector(VIEW.format("voted"))
    assert page.inner_text("#voted-head") == "投票成功"
    assert page.inner_text("#voted-choice") == "您的选择：满意"
    tap_ms = page.evaluate("window.wzLastVoteMs")
    assert 0 <= tap_ms < 2000
    print(f"tap-to-confirmation {tap_ms} ms")
    t = tally(ep, poll_id)
    assert t["remote"]["satisfied"] == 1 and sum(t["remote"].values()) + sum(t["studio"].values()) == 1

    # The token survives in localStorage and a cookie.
    token = page.evaluate("localStorage.getItem('wz_voter_token')")
    assert token and any(c["name"] == "wz_voter" for c in ctx.cookies())

    page.reload()
    page.wait_for_selector(VIEW.format("voted"))
    assert "已投票" in page.inner_text("#voted-head")
    assert page.locator("button.choice:visible").count() == 0

    second_tab = ctx.new_page()
    second_tab.goto(ep.url + "/vote")
    second_tab.wait_for_selector(VIEW.format("voted"))
    assert second_tab.evaluate("localStorage.getItem('wz_voter_token')") == token

    # The same token in a phone that forgot its local memory: the engine still says voted.
    other = phone()
    other.add_init_script(f"localStorage.setItem('wz_voter_token', {json.dumps(token)})")
    fresh = other.new_page()
    fresh.goto(ep.url + "/vote")
    fresh.wait_for_selector(VIEW.format("voted"))
    assert fresh.inner_text("#voted-head") == "您已投票"
    assert sum(tally(ep, poll_id)["remote"].values()) == 1


def test_duplicate_from_a_tab_that_still_shows_choices(engine_process, phone):
    ep = engine_process
    first = phone().new_page()
    first.goto(ep.url + "/vote")
    first.wait_for_selector(VIEW.format("waiting"))
    token = first.evaluate("localStorage.getItem('wz_voter_token')")
    poll_id = open_poll(ep, kind="yesno")
    # A second browser with the same token but no shared storage events: it keeps its buttons.
    twin_ctx = phone()
    twin_ctx.add_init_script(f"localStorage.setItem('wz_voter_token', {json.dumps(token)})")
    twin = twin_ctx.new_page()
    twin.goto(ep.url + "/vote")
    twin.wait_for_selector(VIEW.format("poll"))
    first.wait_for_selector(VIEW.format("poll"))
    first.tap('button[data-choice="yes"]')
    first.wait_for_selector(VIEW.format("voted"))
    twin.tap('button[data-choice="no"]')
    twin.wait_for_selector('#error[data-code="duplicate"]')
    assert "您已经投过票了" in twin.inner_text("#error-text")
    twin.wait_for_selector(VIEW.format("voted"))
    t = tally(ep, poll_id)
    assert t["remote"] == {"yes": 1, "no": 0}


def test_seat_link_counts_in_studio_and_bad_key_is_refused(engine_process, phone):
    ep = engine_process
    seats = api(ep, "POST", "/api/seats", {"venue": "main", "count": 2})["seats"]
    poll_id = open_poll(ep, title="请为市交通局本次表态打分", kind="rating4")

    seat_page = phone().new_page()
    seat_page.goto(seats[0]["url"])
    seat_page.wait_for_selector(VIEW.format("poll"))
    assert seat_page.inner_text("#who") == f"座位 {seats[0]['seat']} · 主会场"
    seat_page.tap('button[data-choice="fair"]')
    seat_page.wait_for_selector(VIEW.format("voted"))
    t = tally(ep, poll_id)
    assert t["studio"]["fair"] == 1 and sum(t["remote"].values()) == 0
    seat_page.reload()
    seat_page.wait_for_selector(VIEW.format("voted"))

    forged = phone().new_page()
    forged.goto(f"{ep.url}/vote?seat={seats[1]['seat']}&key=not-the-key")
    forged.wait_for_selector(VIEW.format("refused"))
    assert forged.inner_text("#refused-text") == "座位凭证无效"
    assert "工作人员" in forged.inner_text("#refused-hint")


def test_forged_token_is_replaced_by_a_fresh_one(engine_process, phone):
    ep = engine_process
    ctx = phone()
    ctx.add_init_script("if (!sessionStorage.getItem('seeded')) {"
                        " sessionStorage.setItem('seeded', '1');"
                        " localStorage.setItem('wz_voter_token', 'forged.token.value'); }")
    page = ctx.new_page()
    page.goto(ep.url + "/vote")
    page.wait_for_selector(VIEW.format("waiting"))
    token = page.evaluate("localStorage.getItem('wz_voter_token')")
    assert token and token != "forged.token.value"
    poll_id = open_poll(ep, kind="yesno")
    page.wait_for_selector(VIEW.format("poll"))
    page.tap('button[data-choice="no"]')
    page.wait_for_selector(VIEW.format("voted"))
    assert tally(ep, poll_id)["remote"]["no"] == 1


def test_countdown_closes_the_poll_on_the_phone(engine_process, phone):
    ep = engine_process
    page = phone().new_page()
    page.goto(ep.url + "/vote")
    page.wait_for_selector(VIEW.format("waiting"))
    open_poll(ep, kind="yesno", countdown_s=3)
    page.wait_for_selector(VIEW.format("poll"))
    text = page.inner_text("#countdown")
    assert text in ("剩余 0:03", "剩余 0:02"), text
    page.wait_for_selector(VIEW.format("closed"), timeout=8000)
    assert page.inner_text("#closed-head") == "投票已结束"


def test_page_survives_engine_restart_and_reports_votes_during_the_drop(engine_process, phone):
    ep = engine_process
    page = phone().new_page()
    page.goto(ep.url + "/vote")
    first = open_poll(ep, title="第一轮")
    page.wait_for_selector(VIEW.format("poll"))
    page.tap('button[data-choice="basic"]')
    page.wait_for_selector(VIEW.format("voted"))

    ep.kill()  # SIGKILL: the acknowledged vote must survive
    page.wait_for_selector("#net:not([hidden])")
    assert "正在重新连接" in page.inner_text("#net") or "正在重试" in page.inner_text("#net")
    ep.start()  # same port, same database
    page.wait_for_selector("#net", state="hidden", timeout=20000)
    page.wait_for_selector(VIEW.format("voted"))
    assert tally(ep, first)["remote"]["basic"] == 1

    second = open_poll(ep, title="第二轮", kind="yesno")
    page.wait_for_selector(VIEW.format("poll"))
    assert page.inner_text("#title") == "第二轮"

    # Tap while the engine is down: told at once that it was not counted.
    ep.kill()
    page.wait_for_selector("#net:not([hidden])")
    page.tap('button[data-choice="yes"]')
    page.wait_for_selector('#error:not([hidden])')
    assert page.get_attribute("#error", "data-code") == "offline"
    assert "未计入" in page.inner_text("#error-text")
    ep.start()
    page.wait_for_selector("#net", state="hidden", timeout=20000)
    assert sum(tally(ep, second)["remote"].values()) == 0
    page.tap('button[data-choice="yes"]')
    page.wait_for_selector(VIEW.format("voted"))
    assert tally(ep, second)["remote"]["yes"] == 1


def result_rows(page) -> dict:
    return {row.get_attribute("data-choice"): row.locator(".result-pct").inner_text()
            for row in page.locator("#result-rows .result-row").all()}


def test_closed_poll_shows_ended_on_every_phone_and_the_result_once_revealed(engine_process, phone, tmp_path):
    ep = engine_process
    seat = api(ep, "POST", "/api/seats", {"venue": "main", "count": 1})["seats"][0]
    poll_id = api(ep, "POST", "/api/polls", {"title": "您对本次整改答复是否满意？", "kind": "satisfaction",
                                             "revealed": False})["id"]
    api(ep, "POST", f"/api/polls/{poll_id}/open")
    voter, bystander, seated = (phone().new_page() for _ in range(3))
    for page, url in ((voter, ep.url + "/vote"), (bystander, ep.url + "/vote"), (seated, seat["url"])):
        page.goto(url)
        page.wait_for_selector(VIEW.format("poll"))
    voter.tap('button[data-choice="satisfied"]')
    seated.tap('button[data-choice="unsatisfied"]')
    voter.wait_for_selector(VIEW.format("voted"))
    seated.wait_for_selector(VIEW.format("voted"))

    api(ep, "POST", f"/api/polls/{poll_id}/close")
    for page in (voter, bystander, seated):  # voted or not: the poll is over
        page.wait_for_selector(VIEW.format("closed"))
        assert page.inner_text("#closed-head") == "投票已结束"
        assert page.locator("#result").is_hidden()  # hidden tally: nothing before the reveal
        assert "现场公布" in page.inner_text("#closed-note")
    assert voter.inner_text("#closed-mine") == "您的选择：满意"
    assert bystander.locator("#closed-mine").is_hidden()
    voter.screenshot(path=str(tmp_path / "vote-closed.png"))

    api(ep, "POST", f"/api/polls/{poll_id}/reveal")
    combined = api(ep, "GET", f"/api/polls/{poll_id}")["combined"]
    expected = {k: f"{v:.1f}%" for k, v in combined.items()}
    assert expected == {"satisfied": "50.0%", "basic": "0.0%", "unsatisfied": "50.0%"}  # one seat, one phone, weighted
    for page in (voter, bystander, seated):
        page.wait_for_selector("#result:not([hidden])")
        assert result_rows(page) == expected
        assert page.inner_text("#result-head") == "投票结果 · 综合占比"
        assert page.inner_text("#result-total") == "共 2 票"
    assert seated.inner_text("#closed-mine") == "您的选择：不满意"
    voter.screenshot(path=str(tmp_path / "vote-result.png"))
    print("screenshots in", tmp_path)

    # A phone that opens the page only now gets the result at once.
    late = phone().new_page()
    late.goto(ep.url + "/vote")
    late.wait_for_selector("#result:not([hidden])")
    assert result_rows(late) == expected and late.locator("#closed-mine").is_hidden()


def test_live_tally_poll_shows_its_result_as_soon_as_it_closes(engine_process, phone):
    ep = engine_process
    # A representative's seat link: the hearing's score (平均分) is the representatives' alone
    seat = api(ep, "POST", "/api/seats", {"venue": "main", "count": 1})["seats"][0]
    page = phone().new_page()
    page.goto(seat["url"])
    poll_id = open_poll(ep, title="请为市交通局本次表态打分", kind="rating4")
    page.wait_for_selector(VIEW.format("poll"))
    assert page.locator("#result").is_hidden()
    page.tap('button[data-choice="good"]')
    page.wait_for_selector(VIEW.format("voted"))
    home = phone().new_page()  # a phone at home votes too: counted in the tally, not in the score
    home.goto(ep.url + "/vote")
    home.wait_for_selector(VIEW.format("poll"))
    home.tap('button[data-choice="poor"]')
    home.wait_for_selector(VIEW.format("voted"))
    api(ep, "POST", f"/api/polls/{poll_id}/close")
    page.wait_for_selector("#result:not([hidden])")
    assert page.inner_text("#closed-head") == "投票已结束"
    assert result_rows(page) == {"good": "50.0%", "fair": "0.0%", "average": "0.0%", "poor": "50.0%"}
    assert page.inner_text("#result-total") == "平均分 20.00（1 位代表） · 共 2 票"


def test_a_seat_sees_how_many_representatives_the_score_divides_by(engine_process, phone):
    """听证评议: two representatives signed in, one votes 好 and one stays silent (a blank):
    the score is 30 ÷ 2 = 15.00 over 1 ballot, and the result says so rather than reading
    as 1 ballot's average. The director correcting the head count after the close (3 on the
    floor) reaches the phones too."""
    ep = engine_process
    seats = api(ep, "POST", "/api/seats", {"venue": "main", "count": 2})["seats"]
    pages = []
    for seat in seats:
        page = phone().new_page()
        page.goto(seat["url"])
        pages.append(page)
    poll_id = open_poll(ep, title="请为县公安局评分", kind="rating4")
    for page in pages:
        page.wait_for_selector(VIEW.format("poll"))
    pages[0].tap('button[data-choice="good"]')
    pages[0].wait_for_selector(VIEW.format("voted"))
    api(ep, "POST", f"/api/polls/{poll_id}/close")
    silent = pages[1]
    silent.wait_for_selector("#result:not([hidden])")
    assert silent.inner_text("#result-total") == "平均分 15.00（2 位代表） · 共 1 票"
    api(ep, "POST", f"/api/polls/{poll_id}/attending", {"attending": 3})
    silent.wait_for_function(
        "document.querySelector('#result-total').textContent === '平均分 13.33（3 位代表） · 共 1 票'", timeout=5000)


def audience_poll(ep) -> dict:
    """The first `poll` a fresh phone gets on /audience."""
    import socketio

    token = api(ep, "POST", "/api/voter", {}, operator=False)["token"]
    with socketio.SimpleClient() as client:
        client.connect(ep.url, namespace="/audience", auth={"token": token}, transports=["websocket"])
        while True:
            name, data = client.receive(timeout=5)
            if name == "poll":
                return data


def test_audience_poll_never_carries_the_tally(engine_process):
    """PROTOCOL: the audience `poll` is POLL without `tally`, also once the result is out;
    an unrevealed poll's result stays hidden after close."""
    ep = engine_process
    hidden = api(ep, "POST", "/api/polls", {"title": "暗票", "kind": "yesno", "revealed": False})["id"]
    api(ep, "POST", f"/api/polls/{hidden}/open")
    api(ep, "POST", f"/api/polls/{hidden}/close")
    view = audience_poll(ep)
    assert view["id"] == hidden and view["state"] == "closed"
    assert not {"tally", "venues", "ballots", "combined", "score"} & set(view)

    poll_id = open_poll(ep, kind="yesno")
    api(ep, "POST", f"/api/polls/{poll_id}/close")
    view = audience_poll(ep)
    assert view["state"] == "closed" and "tally" not in view and "venues" not in view
    assert view["ballots"] == 0 and view["combined"] == {"yes": 0.0, "no": 0.0}


def test_rehearsal_banner_from_the_scene(engine_process, phone):
    """The banner follows GET /api/scene's `rehearsal` (faked here: the engine decides it)."""
    ep = engine_process
    ctx = phone()
    page = ctx.new_page()
    page.goto(ep.url + "/vote")
    page.wait_for_selector(VIEW.format("waiting"))
    assert page.locator("#rehearsal").is_hidden()  # a real show: no banner

    def rehearsal_scene(route):
        scene = api(ep, "GET", "/api/scene", operator=False)
        route.fulfill(status=200, content_type="application/json", body=json.dumps({**scene, "rehearsal": True}))
    ctx.route("**/api/scene", rehearsal_scene)
    page.reload()
    page.wait_for_selector("#rehearsal:not([hidden])")
    assert page.inner_text("#rehearsal") == "彩排 · 本次投票不计入正式结果"
    box = page.locator("#rehearsal").bounding_box()
    assert box["y"] < 120 and box["width"] >= 340  # at the top, full width


def test_rehearsal_engine_shows_the_banner_while_voting(rehearsal_engine, phone):
    """End to end against `serve --rehearsal`: the banner, and the vote still works."""
    ep = rehearsal_engine
    page = phone().new_page()
    page.goto(ep.url + "/vote")
    page.wait_for_selector("#rehearsal:not([hidden])")
    poll_id = open_poll(ep, kind="yesno")
    page.wait_for_selector(VIEW.format("poll"))
    assert page.locator("#rehearsal").is_visible()
    page.tap('button[data-choice="yes"]')
    page.wait_for_selector(VIEW.format("voted"))
    assert tally(ep, poll_id)["remote"]["yes"] == 1


def test_a_seat_page_offers_blank_for_a_rating4_poll_and_it_counts_as_average(engine_process, phone):
    """听证评议: a representative may leave the card blank (空白, scored as 一般); the public page
    offers no blank, and a seat that opened its link attends even before it votes."""
    ep = engine_process
    seat = api(ep, "POST", "/api/seats", {"venue": "main", "count": 1})["seats"][0]
    poll_id = api(ep, "POST", "/api/polls", {"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局"})["id"]
    api(ep, "POST", f"/api/polls/{poll_id}/open", {})
    public = phone().new_page()
    public.goto(ep.url + "/vote")
    public.wait_for_selector(VIEW.format("poll"))
    assert public.locator('button[data-choice="blank"]').count() == 0
    assert [b.inner_text() for b in public.locator("#choices button").all()] == ["好", "较好", "一般", "差"]
    seated = phone().new_page()
    seated.goto(seat["url"])
    seated.wait_for_selector(VIEW.format("poll"))
    assert [b.inner_text() for b in seated.locator("#choices button").all()] == ["好", "较好", "一般", "差", "空白"]
    assert wait_for(lambda: api(ep, "GET", f"/api/polls/{poll_id}")["attending"] == 1), "the seat signed in"
    assert api(ep, "GET", f"/api/polls/{poll_id}")["score"] == 10.0, "signed in, nothing cast: a blank"
    seated.tap('button[data-choice="blank"]')
    seated.wait_for_selector(VIEW.format("voted"))
    assert "空白" in seated.inner_text("#voted-choice")
    view = api(ep, "GET", f"/api/polls/{poll_id}")
    assert view["tally"]["studio"]["average"] == 1 and (view["ballots"], view["score"]) == (1, 10.0)


def test_the_page_header_names_the_show_whole_on_a_phone(engine_process, phone, tmp_path):
    """A 三民 citizen (or a hearing's representative) is not at 百姓问政: the header carries the
    scene's title, and the long one breaks onto two lines inside the 360 px phone, never clipped;
    the seat's venue is named as the scene names it."""
    import dataclasses

    engine_process.kill()
    ep = dataclasses.replace(engine_process, db=tmp_path / "sanmin.db", port=0, proc=None, url="",
                             extra=("--scene", "scenes/sanmin-report.toml"))
    ep.start()
    try:
        seat = api(ep, "POST", "/api/seats", {"venue": "sub03", "count": 1})["seats"][0]
        page = phone().new_page()
        page.goto(seat["url"])
        page.wait_for_function("document.querySelector('#brand-name').textContent !== '百姓问政'")
        assert page.inner_text("#brand-name") == "向市民报告 听市民意见 请市民评议"
        assert page.title() == "向市民报告 听市民意见 请市民评议"
        # the venue by the name on its seat card and in the control room, not 第3分会场
        page.wait_for_function("document.querySelector('#who').textContent.includes('四方区分会场')")
        assert page.inner_text("#who") == "座位 sub03-001 · 四方区分会场"
        fits = page.evaluate("""() => { const n = document.querySelector('#brand-name'),
            h = document.querySelector('.brand').getBoundingClientRect(), r = n.getBoundingClientRect();
            return r.right <= h.right && n.scrollWidth <= n.clientWidth + 1 && r.right <= innerWidth; }""")
        assert fits, "the title runs out of the header"
        page.screenshot(path=str(tmp_path / "vote-sanmin-header.png"))
    finally:
        ep.kill()
