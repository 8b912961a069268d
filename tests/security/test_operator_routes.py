"""Every operator route refuses a request without the admin token — found by listing the app."""

import urllib.request

import pytest
from live_engine import ADMIN
from starlette.routing import Mount, Route

# (method, path) anyone may call, and why. Anything not listed here is operator-only:
# a new route is refused by this test until it is either protected or listed with a reason.
PUBLIC = {
    ("GET", "/healthz"): "liveness for load balancers",
    ("GET", "/api/state"): "the show as viewers see it (operator fields only with the token)",
    ("GET", "/api/scene"): "running order and the phones' vote URL",
    ("POST", "/api/voter"): "phones get a signed voter token (rate-limited per IP)",
    ("GET", "/api/polls"): "polls once opened (drafts and hidden tallies only with the token)",
    ("GET", "/api/polls/{id}"): "a poll once opened (drafts and hidden tallies only with the token)",
    ("POST", "/api/questions"): "web questions from viewers (source web only, rate-limited per IP)",
    ("GET", "/qr.svg"): "QR code of the vote page",
    ("GET", "/vote"): "phones' voting page",
    ("GET", "/overlay"): "OBS Browser Source",
    ("GET", "/timer"): "the presenter's timer and the studio clock (public state only)",
    ("GET", "/ask"): "viewers' question page",
    ("POST", "/api/signin"): "a crew PC exchanges a one-time sign-in code for its token (rate-limited per IP)",
    ("GET", "/signin"): "the sign-in link's page: tells a person to paste it into the console; no token",
}
BAD_CREDENTIALS = [None, "", "wrong-token", ADMIN + "x", ADMIN[:-1]]


def operator_routes(live):
    for route in live.routes:
        if isinstance(route, Mount):
            assert route.path == "/static", f"unexpected mount {route.path}: review it for auth"
            continue
        assert isinstance(route, Route), route
        for method in sorted(route.methods - {"HEAD"}):
            if (method, route.path) not in PUBLIC:
                yield method, route.path


def fill(path: str, poll: int, question: int) -> str:
    path = path.replace("{action}", "open")
    if path.startswith("/api/questions"):
        return path.replace("{id}", str(question))
    return path.replace("{id}", str(poll))


def request(url, method, headers=None, body=b"{}"):
    req = urllib.request.Request(url, data=body if method == "POST" else None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_every_operator_route_needs_the_admin_token(live):
    status, created = live.api("/api/polls", "POST", {"title": "秘密", "kind": "yesno"})
    assert status == 201
    poll = created["id"]
    status, q = live.api("/api/questions", "POST", {"text": "路灯什么时候修？", "source": "hotline"})
    assert status == 201
    before = (live.api("/api/polls")[1], live.api("/api/questions")[1], live.api("/api/state")[1]["segment"])

    routes = list(operator_routes(live))
    assert len(routes) >= 10, routes  # the listing really found the app's routes
    for method, path in routes:
        url = live.url + fill(path, poll, q["id"])
        for token in BAD_CREDENTIALS:
            headers = {"Content-Type": "application/json"}
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            assert request(url, method, headers) == 401, (method, path, token)
        # The right token in the wrong places does not count either.
        assert request(url, method, {"Authorization": f"Basic {ADMIN}"}) == 401, (method, path)
        assert request(url + f"?token={ADMIN}", method) == 401, (method, path)
        assert request(url, method, {"Cookie": f"token={ADMIN}"}) == 401, (method, path)

    after = (live.api("/api/polls")[1], live.api("/api/questions")[1], live.api("/api/state")[1]["segment"])
    assert after[0] == before[0] and after[1] == before[1]
    assert after[2]["index"] == before[2]["index"]


def test_the_token_does_open_every_operator_route(live):
    """The 401s above come from the missing token, not from a broken route."""
    live.api("/api/polls", "POST", {"title": "t", "kind": "yesno"})
    live.api("/api/questions", "POST", {"text": "问题", "source": "hotline"})
    for method, path in operator_routes(live):
        status, _ = live.api(fill(path, 1, 1), method, {} if method == "POST" else None)
        assert status != 401, (method, path)
        assert status < 500, (method, path, status)


def test_public_routes_hide_drafts_and_unrevealed_tallies(live):
    _, draft = live.api("/api/polls", "POST", {"title": "草稿", "kind": "yesno"})
    assert live.api(f"/api/polls/{draft['id']}", token=None)[0] == 404
    assert all(p["id"] != draft["id"] for p in live.api("/api/polls", token=None)[1]["polls"])
    _, hidden = live.api("/api/polls", "POST", {"title": "暗票", "kind": "yesno", "revealed": False})
    assert live.api(f"/api/polls/{hidden['id']}/open", "POST", {})[0] == 200
    status, view = live.api(f"/api/polls/{hidden['id']}", token=None)
    assert status == 200 and "tally" not in view and "ballots" not in view
    state = live.api("/api/state", token=None)[1]
    assert state["poll"]["id"] == hidden["id"] and "tally" not in state["poll"]
    assert "tally" in live.api(f"/api/polls/{hidden['id']}")[1]  # the operator sees it


@pytest.mark.parametrize("source", ["hotline", "studio"])
def test_only_operators_may_file_hotline_and_studio_questions(live, source):
    status, body = live.api("/api/questions", "POST", {"text": "冒充热线", "source": source}, token=None)
    assert status in (401, 403), (status, body)
    assert live.api("/api/questions")[1]["questions"] == []
