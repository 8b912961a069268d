"""The ranking board in the Qt overlay: every unit of the group drawn whole inside the board (up to
the largest group one board takes), wiped in on the cue and out again, other graphics stepping
aside while it is up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wenzheng_studio.core.ranking_board import MAX_BOARD_UNITS
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.paths import scenes_dir
from wenzheng_studio.ui.overlay import OverlayCanvas
from wenzheng_studio.ui.overlay.model import OverlayModel
from wenzheng_studio.ui.overlay.ranking_board import BOARD, MARK_TEXT, board_height

HEARING = load_scene(scenes_dir() / "pingyi-hearing.toml")


def board_state(names: list[str], group: str = "综合管理组") -> dict:
    units = [{"rank": i + 1, "unit": n, "hearing": round(19.5 - i * 0.5, 2), "composite": round(95.0 - i * 1.25, 2),
              "satisfactory": i < round(len(names) * 0.4)} for i, n in enumerate(names)]
    return {"show": {"title": "群众满意单位评议听证会", "status": "live"}, "overlay": {},
            "speaker": {"index": 0, "name": "张三", "title": "局长", "unit": names[0]},
            "ranking_board": {"group": group, "units": units, "quota": round(len(names) * 0.4), "complete": True}}


def canvas_with(qtbot, state: dict) -> OverlayCanvas:
    canvas = OverlayCanvas(None, background=None)
    qtbot.addWidget(canvas)
    canvas.resize(1920, 1080)
    canvas.show()
    canvas.set_state(state)
    canvas.finish_animations()
    canvas.grab()
    return canvas


def fits_inside_the_board(layout) -> bool:
    rect = layout["rect"]
    lines = layout["lines"]
    return (BOARD.contains(rect) and layout["width"] <= rect.width() + 0.5
            and (len(lines) == 1 or len(lines) * layout["line_h"] <= rect.height() + 2)
            and "".join(lines).replace(" ", "") == layout["text"].replace(" ", "") and "…" not in "".join(lines))


def test_a_real_group_of_17_is_drawn_whole(qtbot):
    names = [u.name for u in HEARING.units if u.group == "综合管理组"]
    assert len(names) == 17
    canvas = canvas_with(qtbot, board_state(names))
    for name in names:
        assert name in canvas.drawn, name
    assert "综合管理组 · 群众满意单位评议结果" in canvas.drawn
    assert canvas.drawn.count(MARK_TEXT) == round(17 * 0.4)
    board = [l for l in canvas.layouts if BOARD.intersects(l["rect"])]
    assert board and all(fits_inside_the_board(l) for l in board), [l["text"] for l in board if not fits_inside_the_board(l)]
    assert board_height(17) <= BOARD.height()
    if os.environ.get("WENZHENG_SCREENSHOTS"):  # the screenshot in docs/, only when asked
        out = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "ranking-board.png"
        canvas.set_background("#00B140")
        canvas.render_image().save(str(out))


def test_the_largest_board_with_long_names_still_fits(qtbot):
    names = [f"县人力资源和社会保障局农村社会养老保险事业管理中心第{i}分中心" for i in range(MAX_BOARD_UNITS)]
    canvas = canvas_with(qtbot, board_state(names, "一个名字也很长的组别"))
    board = [l for l in canvas.layouts if BOARD.intersects(l["rect"])]
    assert sum(1 for l in board if l["text"] in names) == MAX_BOARD_UNITS
    assert all(fits_inside_the_board(l) for l in board), [l["text"] for l in board if not fits_inside_the_board(l)]
    image = canvas.render_image()
    bottom = int(BOARD.top() + board_height(MAX_BOARD_UNITS)) - 4
    assert bottom < BOARD.bottom() and image.pixelColor(900, bottom).alpha() == 255, "the foot is on the frame"


def test_the_board_wipes_in_on_the_cue_and_out_again(qtbot):
    canvas = canvas_with(qtbot, {"show": {"title": "评议", "status": "live"}, "overlay": {}, "ranking_board": None})
    assert not canvas.shown("ranking")
    canvas.set_state(board_state(["县农业局", "县财政局"]))
    qtbot.waitUntil(lambda: canvas.shown("ranking") and not canvas.transitions["ranking"].active(canvas.clock()),
                    timeout=3000)
    canvas.grab()
    assert "县农业局" in canvas.drawn
    canvas.set_state({"show": {"title": "评议", "status": "live"}, "overlay": {}, "ranking_board": None})
    assert canvas.shown("ranking"), "it wipes out, not off"
    qtbot.waitUntil(lambda: not canvas.shown("ranking"), timeout=3000)
    canvas.grab()
    assert "县农业局" not in canvas.drawn


def test_other_graphics_step_aside_while_the_board_is_up():
    m = OverlayModel()
    state = board_state(["县农业局", "县财政局"])
    state["question"] = {"id": 3, "text": "路灯坏了"}
    m.set_state(state)
    assert m.visible("ranking") and m.visible("bug")
    assert not m.visible("lower_third") and not m.visible("question")
    m.set_state({**state, "overlay": {"question": "show"}})
    assert m.visible("question"), "the director's 显示 still forces it"
    m.set_state({**state, "ranking_board": None})
    assert not m.visible("ranking") and m.visible("question")


@pytest.mark.parametrize("board", [None, {}, {"group": "空", "units": []}, "not a board"])
def test_nothing_to_show_is_no_board(board):
    m = OverlayModel()
    m.set_state({"ranking_board": board, "overlay": {}})
    assert m.content("ranking") is None and not m.visible("ranking")
