"""Roles: every operator route, question action, control action and Socket.IO event against
every role — allowed answers neither 401 nor 403, forbidden answers 403 and changes nothing.

The expected table is written here from the issue's role list, not read from the code, so
a route or action whose check is missing or wrong fails. A new operator route fails
`test_every_operator_route_is_in_the_matrix` until it is given its roles here.
"""

import time

import pytest
import socketio
from live_engine import ADMIN
from starlette.routing import Route

from wenzheng_studio.core.show import CONTROL_ACTIONS

ROLES = ("director", "screener", "reviewer", "graphics", "observer")
EVERYONE = set(ROLES)
DIRECTOR = {"director"}
# (method, path) → the roles that may use it. Public routes (tests/security/test_operator_routes.py) are left out.
ROUTES = {
    ("POST", "/api/seats"): DIRECTOR,
    ("POST", "/api/polls"): DIRECTOR,
    ("POST", "/api/polls/{id}/{action}"): DIRECTOR,
    ("GET", "/api/polls/{id}/ballots.csv"): EVERYONE,
    ("GET", "/api/polls/{id}/summary.csv"): EVERYONE,
    ("GET", "/api/polls/{id}/audit"): EVERYONE,
    ("GET", "/api/questions"): EVERYONE,
    ("GET", "/api/questions/history"): {"director", "screener"},
    ("GET", "/api/report.csv"): EVERYONE,
    ("POST", "/api/operators"): DIRECTOR,
    ("GET", "/api/operators"): DIRECTOR,
    ("DELETE", "/api/operators/{id}"): DIRECTOR,
    ("POST", "/api/operators/{id}/signin"): DIRECTOR,
    ("GET", "/api/whoami"): EVERYONE,
    ("POST", "/api/scores"): DIRECTOR,  # 听证评议: the year's other scores
    ("GET", "/api/ranking"): EVERYONE,
    # 评议代表库: the pool holds phone numbers and a draw has one accountable hand; the notary
    # (an observer) and the rest of the crew read the draw and its list, phones masked.
    ("POST", "/api/representatives"): DIRECTOR,
    ("GET", "/api/representatives"): DIRECTOR,
    ("POST", "/api/representatives/draw"): DIRECTOR,
    ("GET", "/api/representatives/draw"): EVERYONE,
    ("GET", "/api/representatives/draw.csv"): EVERYONE,
    ("POST", "/api/representatives/seats"): DIRECTOR,
    # Routes whose rule depends on the action: checked by the tables below.
    ("POST", "/api/questions/{id}"): None,
    ("POST", "/api/control"): None,
}
REVIEWER_ACTIONS = {"screen", "approve", "reject", "edit", "merge", "refer", "reply", "callback", "close"}
QUESTION_ACTIONS = sorted(REVIEWER_ACTIONS | {"on_air", "answered", "priority", "reorder"})
PUBLIC = {("GET", "/healthz"), ("GET", "/api/state"), ("GET", "/api/scene"), ("POST", "/api/voter"),
          ("GET", "/api/polls"), ("GET", "/api/polls/{id}"), ("POST", "/api/questions"), ("GET", "/qr.svg"),
          ("GET", "/vote"), ("GET", "/overlay"), ("GET", "/timer"), ("GET", "/ask"), ("POST", "/api/signin"), ("GET", "/signin")}


def question_roles(action: str) -> set[str]:
    return {"director", "reviewer"} if action in REVIEWER_ACTIONS else DIRECTOR


def control_roles(action: str) -> set[str]:
    # graphics may take the ranking board off air, never reveal it (announcing results is the director's)
    return {"director", "graphics"} if action in ("overlay.set", "ranking.hide") else DIRECTOR


@pytest.fixture
def crew(live):
    """One operator of every role (the director is the admin token); returns role → token."""
    tokens = {"director": ADMIN}
    for role in ROLES[1:]:
        status, op = live.api("/api/operators", "POST", {"name": f"{role}-甲", "role": role})
        assert status == 201 and op["role"] == role and op["token"], op
        tokens[role] = op["token"]
    return tokens


def record(live) -> tuple:
    """What a forbidden request must not change (read with the admin token)."""
    state = live.api("/api/state")[1]
    return (live.api("/api/polls")[1], live.api("/api/questions")[1], live.api("/api/operators")[1],
            state["segment"]["index"], state["overlay"], state["timer"]["label"], state["show"]["status"],
            state["ranking_board"])


def seeded(live) -> tuple[int, int]:
    poll = live.api("/api/polls", "POST", {"title": "矩阵", "kind": "yesno"})[1]["id"]
    qid = live.api("/api/questions", "POST", {"text": "矩阵问题", "source": "hotline"})[1]["id"]
    return poll, qid


def path_for(path: str, poll: int, qid: int, operator: int) -> str:
    path = path.replace("{action}", "open")
    if path.startswith("/api/operators"):
        return path.replace("{id}", str(operator))
    if path.startswith("/api/questions"):
        return path.replace("{id}", str(qid)) + ("?phone=13800001111" if path.endswith("history") else "")
    return path.replace("{id}", str(poll))


def body_for(method: str, path: str):
    if method != "POST":
        return None
    return {"/api/seats": {"venue": "main", "count": 1}, "/api/polls": {"title": "新", "kind": "yesno"},
            "/api/operators": {"name": "新人", "role": "observer"}}.get(path, {})


def check_forbidden(live, role, status, reply, what):
    assert status == 403 and reply["error"] == "forbidden", (role, what, status, reply)


def test_every_operator_route_is_in_the_matrix(live):
    listed = {(m, r.path) for r in live.routes if isinstance(r, Route) for m in r.methods - {"HEAD"}}
    assert listed - PUBLIC == set(ROUTES), "give each new operator route its roles in ROUTES"


@pytest.mark.parametrize("role", ROLES)
def test_each_route_against_each_role(live, crew, role):
    poll, qid = seeded(live)
    spare = live.api("/api/operators", "POST", {"name": "备用", "role": "observer"})[1]["id"]
    for (method, path), allowed in ROUTES.items():
        if allowed is None or (method, path) == ("DELETE", "/api/operators/{id}") and role == "director":
            continue
        before = record(live)
        status, reply = live.api(path_for(path, poll, qid, spare), method, body_for(method, path), token=crew[role])
        if role in allowed:
            assert status not in (401, 403) and status < 500, (role, method, path, status, reply)
        else:
            check_forbidden(live, role, status, reply, (method, path))
            assert record(live) == before, f"forbidden {method} {path} by {role} changed the show"
    if role == "director":  # revoking last, so the spare was there for every other route
        assert live.api(f"/api/operators/{spare}", "DELETE", token=crew[role])[0] == 200


@pytest.mark.parametrize("role", ROLES)
def test_each_question_action_against_each_role(live, crew, role):
    _, qid = seeded(live)
    other = live.api("/api/questions", "POST", {"text": "重复的问题", "source": "hotline"})[1]["id"]
    fields = {"edit": {"air_text": "改"}, "merge": {"into": other}, "refer": {"unit": "市城市管理局"},
              "reply": {"reply": "已办"}, "callback": {"satisfaction": "satisfied"}, "close": {"result": "A"},
              "priority": {"priority": 1}, "reorder": {"rank": 1.5}}
    for action in QUESTION_ACTIONS:
        before = record(live)
        status, reply = live.api(f"/api/questions/{qid}", "POST", {"action": action, **fields.get(action, {})},
                                 token=crew[role])
        if role in question_roles(action):
            assert status not in (401, 403) and status < 500, (role, action, status, reply)
        else:
            check_forbidden(live, role, status, reply, action)
            assert record(live) == before, f"forbidden {action} by {role} changed the show"


@pytest.mark.parametrize("role", ROLES)
def test_each_control_action_against_each_role_over_http_and_socketio(live, crew, role):
    control = socketio.Client(reconnection=False)
    control.connect(live.url, auth={"token": crew[role]}, transports=["websocket"], namespaces=["/control"],
                    wait_timeout=10)
    fields = {"segment.goto": {"index": 1}, "timer.add": {"seconds": 5}, "speaker.goto": {"index": 0},
              "overlay.set": {"element": "qr", "mode": "hide"}, "segment.hold": {"on": False}}
    try:
        for action in CONTROL_ACTIONS:
            body = {"action": action, **fields.get(action, {})}
            for via in ("http", "socketio"):
                before = record(live)
                if via == "http":
                    status, reply = live.api("/api/control", "POST", body, token=crew[role])
                else:
                    reply = control.call("control", body, namespace="/control", timeout=10)
                    status = 403 if reply.get("error") == "forbidden" else (200 if "segment" in reply else 409)
                if role in control_roles(action):
                    assert status not in (401, 403), (role, action, via, reply)
                else:
                    check_forbidden(live, role, status, reply if via == "http" else {"error": reply["error"]},
                                    (action, via))
                    assert record(live) == before, f"forbidden {action} by {role} over {via} changed the show"
    finally:
        control.disconnect()


@pytest.mark.parametrize("role, allowed", [("screener", True), ("director", True), ("reviewer", False),
                                           ("graphics", False), ("observer", False)])
def test_only_the_screener_and_director_file_hotline_questions(live, crew, role, allowed):
    status, reply = live.api("/api/questions", "POST", {"text": "热线来电", "source": "hotline",
                                                        "phone": "13800001111"}, token=crew[role])
    assert (status == 201) if allowed else (status == 403 and reply["error"] == "forbidden"), (role, status)


# --- four eyes ---------------------------------------------------------------------------
def make(live, name, role):
    return live.api("/api/operators", "POST", {"name": name, "role": role})[1]["token"]


def act(live, qid, token, action, **fields):
    return live.api(f"/api/questions/{qid}", "POST", {"action": action, **fields}, token=token)


def test_four_eyes_screen_and_approve_are_two_people(live):
    a, b = make(live, "审核甲", "reviewer"), make(live, "审核乙", "reviewer")
    qid = live.api("/api/questions", "POST", {"text": "网友留言：学校门口堵车"}, token=None)[1]["id"]
    assert act(live, qid, a, "screen")[0] == 200
    status, reply = act(live, qid, a, "approve")
    assert (status, reply["error"]) == (409, "same_reviewer")
    assert act(live, qid, a, "approve", override=True)[0] == 409, "only the director may override"
    status, q = act(live, qid, b, "approve")
    assert status == 200 and q["state"] == "approved"
    # B rewords after approval: back to 终审, and B, the last to reword, may not approve it again.
    assert act(live, qid, b, "edit", air_text="学校门口早晚高峰拥堵")[1]["state"] == "screened"
    assert act(live, qid, b, "approve")[1]["error"] == "same_reviewer"
    assert act(live, qid, a, "approve")[1]["error"] == "same_reviewer", "A did the 初审 of this question"
    director = live.api("/api/questions/" + str(qid), "POST", {"action": "approve", "override": True})
    assert director[0] == 200
    history = director[1]["history"]
    assert [(h["action"], h["actor"]["name"]) for h in history if "actor" in h] == [
        ("screen", "审核甲"), ("approve", "审核乙"), ("edit", "审核乙"), ("approve", "导演")]
    assert "override" not in history[-1], "the director did neither review: no override was needed"
    if not hasattr(live, "primary"):  # the report is the primary's: it names who did each step
        report = live.api("/api/report.csv")[1]
        row = next(line for line in report.splitlines() if line.startswith(f"{qid},"))
        assert "审核甲（审核）,导演," in row


def test_the_director_alone_needs_an_explicit_override(live):
    qid = live.api("/api/questions", "POST", {"text": "导演一人审核"}, token=None)[1]["id"]
    assert live.api(f"/api/questions/{qid}", "POST", {"action": "screen"})[0] == 200
    assert live.api(f"/api/questions/{qid}", "POST", {"action": "approve"})[1]["error"] == "same_reviewer"
    status, q = live.api(f"/api/questions/{qid}", "POST", {"action": "approve", "override": True})
    assert status == 200 and q["history"][-1]["override"] is True


# --- sign-in and revocation ----------------------------------------------------------------
def test_a_sign_in_code_works_once_and_gives_a_token_of_its_own(live):
    status, op = live.api("/api/operators", "POST", {"name": "热线小王", "role": "screener"})
    status, code = live.api(f"/api/operators/{op['id']}/signin", "POST", {})
    assert status == 201 and len(code["code"]) == 9 and code["url"].endswith("/signin?code=" + code["code"])
    status, signed = live.api("/api/signin", "POST", {"code": code["code"].lower().replace("-", " ")}, token=None)
    assert status == 200 and signed["name"] == "热线小王" and signed["token"] != op["token"]
    assert live.api("/api/whoami", token=signed["token"])[1]["role"] == "screener"
    assert live.api("/api/whoami", token=op["token"])[0] == 200, "the first PC stays signed in"
    again = live.api("/api/signin", "POST", {"code": code["code"]}, token=None)
    assert again[0] == 400 and again[1]["error"] == "bad_code"
    assert live.api("/api/signin", "POST", {"code": "AAAA-AAAA"}, token=None)[1]["error"] == "bad_code"


def test_revoking_an_operator_ends_its_requests_and_its_live_socket(live):
    status, op = live.api("/api/operators", "POST", {"name": "图文小李", "role": "graphics"})
    code = live.api(f"/api/operators/{op['id']}/signin", "POST", {})[1]["code"]
    second = live.api("/api/signin", "POST", {"code": code}, token=None)[1]["token"]
    dropped = []
    sock = socketio.Client(reconnection=False)
    sock.on("disconnect", lambda *a: dropped.append(time.monotonic()), namespace="/control")
    sock.connect(live.url, auth={"token": second}, transports=["websocket"], namespaces=["/control"],
                 wait_timeout=10)
    ack = sock.call("control", {"action": "overlay.set", "element": "qr", "mode": "show"}, namespace="/control",
                    timeout=10)
    assert ack["overlay"]["qr"] == "show"
    revoked_at = time.monotonic()
    assert live.api(f"/api/operators/{op['id']}", "DELETE")[1]["revoked_at"]
    deadline = time.monotonic() + 5
    while not dropped and time.monotonic() < deadline:
        time.sleep(0.02)
    sock.disconnect()
    assert dropped, "the revoked operator's socket stayed connected"
    print(f"revoked socket dropped {1000 * (dropped[0] - revoked_at):.0f} ms after DELETE")
    for token in (op["token"], second):
        assert live.api("/api/whoami", token=token)[0] == 401
        assert live.api("/api/control", "POST", {"action": "overlay.set", "element": "qr", "mode": "hide"},
                        token=token)[0] == 401
    refused = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(live.url, auth={"token": second}, transports=["websocket"], namespaces=["/control"],
                        wait_timeout=5)
    assert live.api("/api/state")[1]["overlay"]["qr"] == "show"


def test_who_did_it_is_in_the_event_log(live):
    token = make(live, "图文小赵", "graphics")
    live.api("/api/control", "POST", {"action": "overlay.set", "element": "bug", "mode": "hide"}, token=token)
    durable = getattr(live, "primary", live)
    events = [e for e in durable.server.engine.store.events() if e["kind"] == "control"]
    assert events[-1]["data"]["actor"] == {"id": events[-1]["data"]["actor"]["id"], "name": "图文小赵",
                                           "role": "graphics"}


def test_the_audit_names_who_opened_and_closed_the_poll(single_live):
    live = single_live  # exports are the primary's (a secondary answers 409 primary_only)
    poll = live.api("/api/polls", "POST", {"title": "审计", "kind": "yesno"})[1]["id"]
    live.api(f"/api/polls/{poll}/open", "POST", {})
    live.api(f"/api/polls/{poll}/close", "POST", {})
    observer = make(live, "观察员老周", "observer")
    status, audit = live.api(f"/api/polls/{poll}/audit", token=observer)
    assert status == 200
    assert [(a["action"], a["actor"]["role"]) for a in audit["actions"]] == [
        ("poll.create", "director"), ("poll.open", "director"), ("poll.close", "director")]


def test_the_venue_board_is_the_director_and_graphics_cue_alone(live):
    """三民's venue board (overlay element "venues"): on air on the director's or the graphics
    operator's cue; any other role is refused 403 and the board stays as it was, for the
    HTTP route and the /control socket alike; the state every view receives carries it."""
    assert live.api("/api/state")[1]["overlay"]["venues"] == "auto"  # off air until cued
    graphics = make(live, "图文小钱", "graphics")
    status, state = live.api("/api/control", "POST", {"action": "overlay.set", "element": "venues", "mode": "show"},
                             token=graphics)
    assert status == 200 and state["overlay"]["venues"] == "show"
    for role in ("screener", "reviewer", "observer"):
        token = make(live, f"{role}-venues", role)
        status, body = live.api("/api/control", "POST", {"action": "overlay.set", "element": "venues", "mode": "hide"},
                                token=token)
        assert (status, body["error"]) == (403, "forbidden"), role
        sock = socketio.Client(reconnection=False)
        sock.connect(live.url, auth={"token": token}, transports=["websocket"], namespaces=["/control"],
                     wait_timeout=10)
        try:
            ack = sock.call("control", {"action": "overlay.set", "element": "venues", "mode": "hide"},
                            namespace="/control", timeout=10)
        finally:
            sock.disconnect()
        assert ack.get("error") == "forbidden", (role, ack)
    assert live.api("/api/state", token=None)[1]["overlay"]["venues"] == "show"
    status, state = live.api("/api/control", "POST", {"action": "overlay.set", "element": "venues", "mode": "hide"})
    assert status == 200 and state["overlay"]["venues"] == "hide"
    bad = live.api("/api/control", "POST", {"action": "overlay.set", "element": "venues", "mode": "flash"})
    assert bad[0] == 400 and live.api("/api/state")[1]["overlay"]["venues"] == "hide"
