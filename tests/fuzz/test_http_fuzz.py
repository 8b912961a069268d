"""Random and malformed requests on every HTTP route: never a 5xx, a refusal changes nothing, and
the engine still writes afterwards."""

import json
import urllib.parse
import urllib.request

from digest import digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_engine import ADMIN
from starlette.routing import Route

FIELDS = ["title", "kind", "choices", "unit", "revealed", "countdown_s", "action", "seconds", "index", "label",
          "text", "name", "district", "source", "venue", "count", "by", "due", "result", "into", "hard", "poll",
          "choice", "key", "phone", "note", "caller", "topic"]
VALUES = ["yesno", "choice", "rating4", "satisfaction", "open", "close", "screen", "approve", "reject", "on_air",
          "answered", "refer", "segment.next", "segment.goto", "timer.start", "timer.add", "web", "hotline",
          "main", "A", "<script>alert(1)</script>", "问政", "", "\u0000", "9" * 30, "2026-13-45"]
# Any text, lone surrogates included (st.text() leaves category Cs out by default, and a lone
# surrogate once killed the store's writer), plus a few surrogates for sure.
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
surrogates = st.sampled_from(["a \ud800 b", "\udfff", "问\udc00政", "\ud83d"])
json_scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
                | any_text | surrogates | st.sampled_from(VALUES))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(FIELDS) | any_text.map(lambda t: t[:8]) | surrogates,
                                             inner, max_size=4),
                           max_leaves=12)
shaped_bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)
raw_bodies = st.binary(max_size=300) | st.sampled_from([b"{", b"[1,", b"\xff\xfe", b'{"a":' * 500, b"nul",
                                                        b'"\\ud800"', b"1e999999", b"{}" * 50])
path_ids = st.sampled_from(["1", "2", "0", "-1", "999999999999", "1.5", "abc", "%00", "..", "%2e%2e", "１", "1e3",
                            "0x10", " 1", "9" * 40]) | st.text(min_size=1, max_size=12)
ROUTE_ACTIONS = st.sampled_from(["open", "close", "reveal", "delete", "", "OPEN", "..", "ballots.csv"])


def routes(live):
    return [(m, r.path) for r in live.routes if isinstance(r, Route) for m in sorted(r.methods - {"HEAD"})]


def send(url, method, body: bytes | None, token: str | None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body if method == "POST" else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("content-type", "")


def seed_show(live):
    live.api("/api/polls", "POST", {"title": "种子", "kind": "yesno"})
    live.api("/api/polls", "POST", {"title": "开着", "kind": "rating4"})
    live.api("/api/polls/2/open", "POST", {})
    live.api("/api/questions", "POST", {"text": "种子问题", "source": "hotline"})


def check(live, method, path, body, token):
    before = digest(live)
    status, raw, ctype = send(live.url + path, method, body, token)
    assert status < 500, (method, path, body, status, raw[:300])
    if status >= 400:
        assert "json" in ctype, (method, path, status, ctype)
        err = json.loads(raw)
        assert isinstance(err.get("error"), str) and isinstance(err.get("message"), str), err
        assert digest(live) == before, f"refused {method} {path} {body!r} ({status}) changed the show"
    live.prove_alive()  # not just "no 5xx": the engine still stores a question and counts a vote


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(data=st.data())
def test_random_bodies_on_every_route(live, data):
    if not live.server.engine.show.polls:
        seed_show(live)
    method, path = data.draw(st.sampled_from(routes(live)))
    path = path.replace("{id}", urllib.parse.quote(data.draw(path_ids), safe=""))
    path = path.replace("{action}", urllib.parse.quote(data.draw(ROUTE_ACTIONS), safe=""))
    if data.draw(st.booleans()):
        body = json.dumps(data.draw(shaped_bodies | json_values)).encode()
    else:
        body = data.draw(raw_bodies)
    token = data.draw(st.sampled_from([ADMIN, None, "wrong"]))
    check(live, method, path, body, token)


@FUZZ
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
       path=st.text(alphabet="/apiolsqeutnvr0123456789.%{}-_?=&#", min_size=1, max_size=40),
       token=st.sampled_from([ADMIN, None]))
def test_random_methods_and_paths(live, method, path, token):
    if not path.startswith("/"):
        path = "/" + path
    if path.startswith("/socket.io"):
        return
    before = digest(live)
    req = urllib.request.Request(live.url + urllib.parse.quote(path, safe="/%?=&"), method=method,
                                 data=b"{}" if method in ("POST", "PUT", "PATCH") else None,
                                 headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    assert status < 500, (method, path, status)
    if status >= 400:
        assert digest(live) == before
    live.prove_alive()


def test_the_digest_sees_an_accepted_change(live):
    """The no-change checks above can fail: an accepted request does move the digest."""
    before = digest(live)
    assert live.api("/api/polls", "POST", {"title": "新", "kind": "yesno"})[0] == 201
    assert digest(live) != before
    before = digest(live)
    assert live.api("/api/control", "POST", {"action": "segment.next"})[0] == 200
    assert digest(live) != before
