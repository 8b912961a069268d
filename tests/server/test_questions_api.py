"""Questions over HTTP against a real `wenzheng-studio serve`: all three sources, review,
follow-up, caller history, the report CSV, and a SIGKILL between accept and review."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

PHONE = "13812345678"


def call(ep, method, path, body=None, token=True, raw=False):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {ep.token}"
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(ep.url + path, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            payload = r.read()
            return r.status, (payload.decode("utf-8-sig") if raw else json.loads(payload))
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def act(ep, qid, action, **fields):
    return call(ep, "POST", f"/api/questions/{qid}", {"action": action, **fields})


def test_three_sources_crash_between_accept_and_review(engine_process):
    ep = engine_process
    s, web = call(ep, "POST", "/api/questions", {"text": "<b>网络</b>留言", "district": "江岸区"}, token=False)
    assert s == 201
    s, hot = call(ep, "POST", "/api/questions", {"text": "热线来电", "source": "hotline", "phone": PHONE,
                                                 "name": "张先生", "topic": "电梯", "priority": 2})
    assert s == 201
    s, studio = call(ep, "POST", "/api/questions", {"text": "现场提问", "source": "studio"})
    assert s == 201
    assert act(ep, hot["id"], "screen")[0] == 200  # the screener pushes calls as screened

    ep.kill()  # SIGKILL right after the accepts: every acknowledged question must be back
    ep.start()

    s, listing = call(ep, "GET", "/api/questions")
    by_id = {q["id"]: q for q in listing["questions"]}
    assert by_id[web["id"]]["text"] == "<b>网络</b>留言" and by_id[web["id"]]["state"] == "new"
    assert by_id[hot["id"]]["state"] == "screened" and by_id[hot["id"]]["phone"] == "138****5678"
    assert by_id[studio["id"]]["source"] == "studio"
    assert PHONE not in json.dumps(listing)

    for qid in (web["id"], studio["id"]):
        assert act(ep, qid, "screen")[0] == 200
    for qid in (web["id"], hot["id"], studio["id"]):
        assert act(ep, qid, "approve", override=True)[0] == 200  # one admin token did 初审 too
    assert act(ep, web["id"], "on_air")[0] == 200
    s, state = call(ep, "GET", "/api/state", token=False)
    assert state["question"] == {"id": web["id"], "text": "<b>网络</b>留言", "name": "", "district": "江岸区",
                                 "unit": "", "source": "web"}
    assert act(ep, web["id"], "answered", by="王建国", role="head")[0] == 200
    assert act(ep, hot["id"], "on_air")[0] == 200
    assert act(ep, hot["id"], "answered", by="副局长", role="deputy")[0] == 200
    s, q = act(ep, studio["id"], "refer", unit="市交通运输局", hard=True)
    assert s == 200 and q["state"] == "referred" and q["due"]

    ep.kill()
    ep.start()
    s, csv_text = call(ep, "GET", "/api/report.csv", raw=True)
    assert s == 200
    assert "一把手答复率,1/2,50%,目标 50%" in csv_text
    assert "网络,,江岸区,,,<b>网络</b>留言" in csv_text
    assert "收到 → 初审 → 终审 → 播出 → 现场答复" in csv_text
    assert "138****5678" in csv_text and PHONE not in csv_text


def test_forbidden_transitions_409_and_bad_input_400(engine_process):
    ep = engine_process
    s, q = call(ep, "POST", "/api/questions", {"text": "问题"}, token=False)
    assert act(ep, q["id"], "approve") == (409, {"error": "bad_transition",
                                                 "message": "cannot approve a question that is new"})
    assert act(ep, q["id"], "on_air")[0] == 409
    assert act(ep, q["id"], "fly")[0] == 400
    assert act(ep, 999, "screen")[0] == 404
    assert call(ep, "POST", f"/api/questions/{q['id']}", {"action": "screen"}, token=False)[0] == 401
    for body in ({"text": ""}, {"text": "x" * 501}, {"text": "a\x1b[31m"}, {"text": ["list"]}, {"txt": "x"}):
        s, err = call(ep, "POST", "/api/questions", body, token=False)
        assert s == 400, body
        assert set(err) == {"error", "message"}
    assert call(ep, "POST", "/api/questions", b"\xff\xfe", token=False)[0] == 400
    assert call(ep, "POST", "/api/questions", {"text": "x", "source": "hotline"}, token=False)[0] == 401
    assert len(call(ep, "GET", "/api/questions")[1]["questions"]) == 1


def test_merge_reply_callback_and_caller_history(engine_process):
    ep = engine_process
    ids = [call(ep, "POST", "/api/questions", {"text": f"电梯{i}", "source": "hotline", "phone": PHONE})[1]["id"]
           for i in range(2)]
    other = call(ep, "POST", "/api/questions", {"text": "别人", "source": "hotline", "phone": "13900000000"})[1]["id"]
    s, dup = act(ep, ids[1], "merge", into=ids[0])
    assert s == 200 and dup["state"] == "rejected" and dup["merged_into"] == ids[0]

    s, hist = call(ep, "GET", "/api/questions/history?phone=138-1234-5678")
    assert s == 200 and [q["id"] for q in hist["questions"]] == [ids[1], ids[0]]
    assert {q["phone"] for q in hist["questions"]} == {PHONE}  # the screener typed it: shown in full
    assert call(ep, "GET", "/api/questions/history?phone=138", token=True)[0] == 400
    assert call(ep, "GET", f"/api/questions/history?phone={PHONE}", token=False)[0] == 401
    assert other not in [q["id"] for q in hist["questions"]]

    for action in ("screen", "approve"):
        act(ep, ids[0], action, **({"override": True} if action == "approve" else {}))
    s, q = act(ep, ids[0], "refer", unit="市住房和城乡建设局")
    assert q["count"] == 2 and len(q["due"]) == 10 and not q["hard"]
    assert act(ep, ids[0], "reply", reply="已安排维修")[1]["reply"] == "已安排维修"
    assert act(ep, ids[0], "close", result="B")[1]["state"] == "closed"
    s, q = act(ep, ids[0], "callback", satisfaction="basic", note="基本满意")
    assert s == 200 and q["satisfaction"] == "basic" and q["phone"] == "138****5678"
    assert act(ep, ids[0], "callback", satisfaction="meh")[0] == 400
