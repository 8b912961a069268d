"""Issue 14: no title or name is ever cut on air (it shrinks or breaks into two lines inside its
box), and the QR code stays off air when phone votes carry no weight."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from wenzheng_studio.ui.overlay import OverlayCanvas
from wenzheng_studio.ui.overlay import style as S
from wenzheng_studio.ui.overlay.model import OverlayModel

ROOT = Path(__file__).resolve().parents[2]


def scene(name: str) -> dict:
    return tomllib.loads((ROOT / "scenes" / name).read_text(encoding="utf-8"))


def _fits(layout) -> bool:
    rect = layout["rect"]
    return (layout["width"] <= rect.width() + 0.5 and (len(layout["lines"]) == 1 or len(layout["lines"]) * layout["line_h"] <= rect.height() + 2)
            and "".join(layout["lines"]).replace(" ", "") == layout["text"].replace(" ", ""))


@pytest.mark.parametrize("name", ["pingyi-hearing.toml", "sanmin-report.toml", "baixing-wenzheng.toml"])
def test_long_show_titles_are_drawn_whole_inside_the_bug(qtbot, name):
    sc = scene(name)
    canvas = OverlayCanvas(None, background=None)
    qtbot.addWidget(canvas)
    canvas.resize(1920, 1080)
    canvas.show()
    title = sc["show"]["title"]
    canvas.set_state({"show": {"title": title, "subtitle": sc["show"].get("subtitle", ""), "status": "live"},
                      "overlay": {}})
    qtbot.wait(1500)  # the bug wipes in
    canvas.grab()
    bug = [l for l in canvas.layouts if l["text"] == title]
    assert bug, "the show title was not drawn"
    assert all(_fits(l) for l in bug), bug
    assert not any("…" in line for l in bug for line in l["lines"])
    assert bug[-1]["rect"].right() <= S.BUG.right() and bug[-1]["rect"].bottom() <= S.BUG.bottom()


def test_qr_stays_off_air_when_phone_votes_carry_no_weight():
    m = OverlayModel()
    m.set_state({"poll": {"id": "p1", "state": "open", "tally": {}}, "overlay": {}})
    m.set_scene({"vote_url": "http://x/vote", "remote_weight": 0.5})
    assert m.visible("qr")
    m.set_scene({"vote_url": "http://x/vote", "remote_weight": 0.0})  # the hearing
    assert not m.visible("qr")
    m.set_state({"poll": {"id": "p1", "state": "open", "tally": {}}, "overlay": {"qr": "show"}})
    assert m.visible("qr")  # the director's 显示 still forces it


def _rating4(attending: int, source: str) -> dict:
    return {"id": 7, "title": "请为县食品药品监督管理局评分", "kind": "rating4", "state": "closed", "revealed": True,
            "choices": [{"key": k, "label": l} for k, l in (("good", "好"), ("fair", "较好"), ("average", "一般"), ("poor", "差"))],
            "tally": {"studio": {"good": 1, "fair": 1, "average": 2, "poor": 0}, "remote": {}}, "ballots": 4,
            "combined": {"good": 25.0, "fair": 25.0, "average": 50.0, "poor": 0.0},
            "score": 13.0, "attending": attending, "attending_source": source}


@pytest.mark.parametrize("source, head", [("signed_in", "平均分 13.00（5 位代表） · 共 4 票"),
                                          ("director", "平均分 13.00（5 位代表） · 共 4 票"),
                                          ("ballots", "平均分 13.00 · 共 4 票")])
def test_the_hearing_score_on_air_says_how_many_representatives_it_divides_by(qtbot, source, head):
    """5 representatives signed in, 4 ballots, score 65 ÷ 5 = 13.00: "平均分 13.00 · 共 4 票" read
    as the 4 ballots' average (13.75); the tally's head names the 5 it divides by, and the
    unit's long title still fits beside it."""
    canvas = OverlayCanvas(None, background=None)
    qtbot.addWidget(canvas)
    canvas.resize(1920, 1080)
    canvas.show()
    poll = _rating4(5 if source != "ballots" else 4, source)
    canvas.set_state({"show": {"title": "群众满意单位评议听证会", "status": "live"}, "poll": poll, "overlay": {"tally": "show"}})
    qtbot.wait(2500)  # the tally wipes in and its figures count up
    canvas.grab()
    texts = [l["text"] for l in canvas.layouts]
    assert head in texts, texts
    title = [l for l in canvas.layouts if l["text"] == poll["title"]]
    assert title and all(_fits(l) for l in title), title
