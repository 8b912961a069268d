"""OverlayCanvas: what shows when, how it is drawn, and that viewer text stays plain text."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtGui import QColor

from wenzheng_studio.ui.overlay import OverlayCanvas
from wenzheng_studio.ui.overlay import style as S
from wenzheng_studio.ui.overlay.model import OverlayModel, clock_text

KEY = QColor("#00B140")
VOTE_URL = "http://192.168.1.20:8765/vote"


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def base_state(**over):
    state = {
        "segment": {"index": 7, "key": "vote", "title": "市民表决", "planned_s": 300, "elapsed_s": 10},
        "show": {"status": "live", "title": "百姓问政", "subtitle": "治庸问责 · 改善民生"},
        "timer": {"label": "王建国", "remaining_s": 30.0, "running": True, "state": "normal", "duration_s": 30.0,
                  "warning_s": 10.0, "danger_s": 5.0},
        "speaker": {"index": 0, "name": "王建国", "title": "局长", "unit": "市住房和城乡建设局"},
        "poll": None,
        "question": None,
        "overlay": {k: "auto" for k in ("tally", "qr", "timer", "lower_third", "question", "bug")},
    }
    state.update(over)
    return state


def poll(state="open", revealed=True, studio=(40, 25, 12), remote=(820, 400, 377)):
    keys = ["satisfied", "basic", "unsatisfied"]
    p = {"id": 3, "title": "您对住建局的答复满意吗", "kind": "satisfaction", "state": state, "revealed": revealed,
         "choices": [{"key": k, "label": lbl} for k, lbl in zip(keys, ["满意", "基本满意", "不满意"])]}
    if revealed:
        p["tally"] = {"studio": dict(zip(keys, studio)), "remote": dict(zip(keys, remote))}
        p["ballots"] = sum(studio) + sum(remote)
        p["combined"] = {k: 100.0 * (s / max(1, sum(studio)) + r / max(1, sum(remote))) / 2
                         for k, s, r in zip(keys, studio, remote)}
    return p


def question(text="小区门口的路什么时候修？", **over):
    q = {"id": 9, "text": text, "name": "张三", "district": "城东区", "unit": "", "source": "web"}
    q.update(over)
    return q


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def canvas(qtbot, clock):
    c = OverlayCanvas(clock=clock)
    qtbot.addWidget(c)
    c.set_qr_url(VOTE_URL)
    return c


def settled(canvas, state):
    canvas.set_state(state)
    canvas.finish_animations()
    return canvas.render_image()


def colour_at(image, x, y) -> QColor:
    return image.pixelColor(x, y)


def same(a: QColor, b: QColor, tol=6) -> bool:
    return abs(a.red() - b.red()) <= tol and abs(a.green() - b.green()) <= tol and abs(a.blue() - b.blue()) <= tol


# --- which elements show ---------------------------------------------------------------------
def test_auto_defaults_follow_the_show():
    m = OverlayModel(FakeClock())
    m.set_qr_url(VOTE_URL)
    m.set_state(base_state())
    assert [e for e in ("bug", "timer", "lower_third") if m.visible(e)] == ["bug", "timer", "lower_third"]
    assert not m.visible("qr") and not m.visible("tally") and not m.visible("question")

    m.set_state(base_state(poll=poll("open")))
    assert m.visible("qr") and m.visible("tally")
    m.set_state(base_state(poll=poll("closed")))
    assert not m.visible("qr") and m.visible("tally")  # results stay up after the vote closes
    m.set_state(base_state(poll=poll("open", revealed=False)))
    assert m.visible("qr") and not m.visible("tally")  # the public never gets unrevealed tallies

    m.set_state(base_state(question=question()))
    assert m.visible("question") and not m.visible("lower_third")  # same place on screen
    m.set_state(base_state(question=question(), overlay={"question": "hide"}))
    assert not m.visible("question") and m.visible("lower_third")


def test_operator_modes_override_auto_but_never_invent_content():
    m = OverlayModel(FakeClock())
    m.set_state(base_state(poll=poll("open"), overlay={"tally": "hide", "qr": "show", "bug": "hide"}))
    assert not m.visible("tally") and not m.visible("bug")
    assert not m.visible("qr")  # forced on, but no voting address known yet: nothing to show
    m.set_qr_url(VOTE_URL)
    assert m.visible("qr")
    m.set_state(base_state(poll=None, overlay={"qr": "show", "tally": "show"}))
    assert m.visible("qr") and not m.visible("tally")  # no poll, no tally to show
    m.set_state(base_state(show={"status": "standby", "title": "百姓问政"}, overlay={"timer": "show"}))
    assert m.visible("timer")


def test_tally_push_only_updates_the_current_poll():
    m = OverlayModel(FakeClock())
    m.set_state(base_state(poll=poll("open", studio=(1, 0, 0), remote=(0, 0, 0))))
    m.set_tally({**poll("open", studio=(5, 0, 0), remote=(0, 0, 0)), "id": 99})
    assert m.poll["ballots"] == 1
    m.set_tally(poll("open", studio=(5, 2, 0), remote=(1, 0, 0)))
    assert m.poll["ballots"] == 8


# --- the clock --------------------------------------------------------------------------------
def test_timer_ticks_locally_between_pushes_and_counts_up_when_over(clock):
    m = OverlayModel(clock)
    m.set_state(base_state())
    assert clock_text(m.timer_remaining()) == "00:30" and m.timer_state() == "normal"
    clock.t += 0.4
    assert clock_text(m.timer_remaining()) == "00:30"
    clock.t += 2.0
    assert clock_text(m.timer_remaining()) == "00:28"
    clock.t += 19.0  # 8.6 s left
    assert m.timer_state() == "warning"
    clock.t += 4.0
    assert m.timer_state() == "danger"
    clock.t += 6.0  # 1.4 s over
    assert clock_text(m.timer_remaining()) == "+00:01" and m.timer_state() == "over"
    paused = base_state(timer={"label": "", "remaining_s": 12.0, "running": False, "state": "normal",
                               "duration_s": 30.0})
    m.set_state(paused)
    clock.t += 100
    assert clock_text(m.timer_remaining()) == "00:12"
    assert clock_text(-61.2) == "+01:01" and clock_text(3599.5) == "60:00"


def test_timer_colours_follow_the_state(canvas, clock):
    body = (int(S.TIMER.left() + 40), int(S.TIMER.top() + S.TIMER_STRIP_H + 10))
    image = settled(canvas, base_state())
    assert same(colour_at(image, *body), S.TIMER_COLOURS["normal"][0])
    clock.t += 22
    assert same(colour_at(canvas.render_image(), *body), S.TIMER_COLOURS["warning"][0])
    clock.t += 5
    assert same(colour_at(canvas.render_image(), *body), S.TIMER_COLOURS["danger"][0])
    clock.t += 5
    image = canvas.render_image()
    assert same(colour_at(image, *body), S.TIMER_COLOURS["over"][0])
    assert "+00:02" in canvas.drawn and "超时" in canvas.drawn


# --- drawing ----------------------------------------------------------------------------------
def test_elements_are_drawn_where_they_belong_and_nothing_leaves_the_safe_area(canvas):
    idle = settled(canvas, base_state(speaker=None, timer={"running": False, "duration_s": 0}))
    qr_probe = (int(S.QR.left() + 8), int(S.QR.top() + 8))
    assert same(colour_at(idle, *qr_probe), KEY)  # no poll: no QR card
    assert same(colour_at(idle, int(S.BUG.left() + 100), int(S.BUG.top() + 4)), S.NAVY)

    full = settled(canvas, base_state(poll=poll("open"), question=question()))
    assert same(colour_at(full, *qr_probe), S.WHITE)
    assert same(colour_at(full, int(S.QUESTION.left() + 400), int(S.QUESTION.top() + 5)), S.RED)
    assert "扫码参与投票" in canvas.drawn and f"qr:{VOTE_URL}" in canvas.drawn
    assert "共 1,674 票" in canvas.drawn and "满意" in canvas.drawn
    # Everything outside the 90% action-safe area is still the key colour.
    w, h = full.width(), full.height()
    for x in range(0, w, 7):
        for y in list(range(0, 54, 5)) + list(range(1027, h, 5)):
            assert same(colour_at(full, x, y), KEY), (x, y)
    for y in range(0, h, 7):
        for x in list(range(0, 96, 5)) + list(range(1825, w, 5)):
            assert same(colour_at(full, x, y), KEY), (x, y)


def _rightmost_ink(image, top, bottom, left, right):
    """The right-most column of light (text) pixels on a dark box."""
    for x in range(right - 1, left, -1):
        for y in range(top, bottom, 2):
            if image.pixelColor(x, y).lightness() > 200:
                return x
    return left


def test_markup_in_a_question_is_drawn_literally(canvas):
    evil = "<b>x</b><script>alert(1)</script>"
    box = (int(S.QUESTION.top() + 70), int(S.QUESTION.bottom() - 12),
           int(S.QUESTION.left() + 40), int(S.QUESTION.right() - 20))
    image = settled(canvas, base_state(question=question(evil, name="<i>李四</i>", district="<u>江岸区</u>")))
    assert evil in canvas.drawn
    assert any("<i>李四</i> · <u>江岸区</u>" in s for s in canvas.drawn)
    literal_right = _rightmost_ink(image, *box)
    image = settled(canvas, base_state(question=question("x")))
    plain_right = _rightmost_ink(image, *box)
    # Rich text would have drawn a bold "x" and nothing else; every angle bracket is there.
    assert literal_right - plain_right > 400


def test_long_viewer_text_is_elided_inside_its_box(canvas):
    long_text = "我家小区门口的道路已经坏了三年，" * 30
    image = settled(canvas, base_state(question=question(long_text, name="很长的名字" * 20)))
    lines = canvas.drawn[-2:]  # the question's text is the last thing painted
    assert lines[0].startswith("我家") and lines[-1].endswith("…")
    assert "".join(lines).rstrip("…") in long_text
    assert any(s.endswith("…") and s.startswith("网友提问") for s in canvas.drawn)
    right = _rightmost_ink(image, int(S.QUESTION.top() + 70), int(S.QUESTION.bottom() - 12),
                           int(S.QUESTION.left()), int(S.QUESTION.right()) + 40)
    assert right <= S.QUESTION.right() - 30


def test_elements_wipe_in_and_out_over_time(canvas, clock):
    canvas.set_state(base_state(speaker=None, timer={"running": False, "duration_s": 0}))
    probe_left = (int(S.BUG.left() + 30), int(S.BUG.top() + 4))
    probe_right = (int(S.BUG.right() - 10), int(S.BUG.top() + 4))
    start = canvas.render_image()
    assert same(colour_at(start, *probe_right), KEY) and same(colour_at(start, *probe_left), KEY)
    clock.t += 0.1
    mid = canvas.render_image()
    assert same(colour_at(mid, *probe_right), KEY) and not same(colour_at(mid, *probe_left), KEY)
    clock.t += 0.35
    assert same(colour_at(canvas.render_image(), *probe_right), S.NAVY)
    canvas.set_state(base_state(speaker=None, overlay={"bug": "hide"}))
    assert canvas.shown("bug")
    clock.t += 0.31
    assert not canvas.shown("bug") and same(colour_at(canvas.render_image(), *probe_left), KEY)


def test_tally_figures_glide_to_new_counts(canvas, clock):
    settled(canvas, base_state(poll=poll("open", studio=(10, 0, 0), remote=(0, 0, 0))))
    assert "共 10 票" in canvas.drawn
    canvas.set_tally(poll("open", studio=(110, 0, 0), remote=(0, 0, 0)))
    clock.t += 0.1
    canvas.render_image()
    [shown] = [s for s in canvas.drawn if s.startswith("共 ")]
    assert 10 < int(shown[2:-2].replace(",", "")) < 110
    clock.t += 0.5
    canvas.render_image()
    assert "共 110 票" in canvas.drawn


def test_preview_scales_the_same_picture(canvas):
    settled(canvas, base_state(poll=poll("open"), question=question()))
    big = canvas.render_image()
    small = canvas.render_image(480, 270)
    x, y = int(S.QR.left() + 8), int(S.QR.top() + 8)
    assert same(colour_at(big, x, y), colour_at(small, x // 4, y // 4), tol=20)
    canvas.set_background(None)
    assert canvas.render_image().pixelColor(5, 5).alpha() == 0  # transparent where nothing is drawn


def test_new_question_wipes_in_afresh(canvas, clock):
    settled(canvas, base_state(question=question()))
    q2 = copy.deepcopy(question("第二个问题"))
    q2["id"] = 10
    canvas.set_state(base_state(question=q2))
    assert canvas.transitions["question"].value(clock()) < 0.01
    clock.t += 0.5
    assert canvas.transitions["question"].value(clock()) == 1.0


def test_every_design_colour_survives_the_chroma_key_settings_in_obs_md():
    """docs/OBS.md says Chroma Key, key #00B140, Similarity 120, Smoothness 60. OBS measures the
    Cb/Cr distance to the key (libobs chroma_key_filter); every colour we paint must stay fully
    opaque. (OBS's default Similarity 400 would key out navy, white and black: distance ~310.)"""
    cb = (-0.100644, -0.338572, 0.439216)
    cr = (0.439216, -0.398942, -0.040274)

    def chroma(c: QColor):
        rgb = (c.redF(), c.greenF(), c.blueF())
        return sum(a * b for a, b in zip(cb, rgb)), sum(a * b for a, b in zip(cr, rgb))

    kx, ky = chroma(KEY)
    colours = [S.NAVY, S.NAVY_DARK, S.TRACK, S.RED, S.GOLD, S.GOLD_LIGHT, S.WHITE, S.LIGHT, S.INK, QColor("#000000")]  # the rehearsal mark: GOLD, warning ink
    colours += [c for pair in S.TIMER_COLOURS.values() for c in pair]
    for c in colours:
        x, y = chroma(c)
        assert ((x - kx) ** 2 + (y - ky) ** 2) ** 0.5 * 1000 > 120 + 60 + 50, c.name()


def test_rehearsal_is_marked_on_every_frame_whatever_the_modes(canvas, tmp_path):
    real = settled(canvas, base_state())
    probe = (int(S.REHEARSAL.left() + 30), int(S.REHEARSAL.top() + 6))
    assert same(colour_at(real, *probe), KEY) and S.REHEARSAL_TEXT not in canvas.drawn

    show = {"status": "live", "title": "百姓问政", "subtitle": "", "rehearsal": True}
    hidden = base_state(show=show, overlay={k: "hide" for k in ("tally", "qr", "timer", "lower_third", "question",
                                                                   "bug")})
    image = settled(canvas, hidden)
    assert canvas.drawn == [S.REHEARSAL_TEXT]  # everything else hidden; the mark stays
    assert same(colour_at(image, *probe), S.GOLD)
    assert S.SAFE.contains(S.REHEARSAL)
    busy = settled(canvas, base_state(show=show, poll=poll("open"), question=question()))
    assert S.REHEARSAL_TEXT in canvas.drawn and same(colour_at(busy, *probe), S.GOLD)
    for name in (S.BUG, S.TIMER, S.TALLY, S.QR, S.LOWER_THIRD, S.QUESTION):
        assert not name.intersects(S.REHEARSAL), name  # covers no element
    busy.save(str(tmp_path / "overlay-rehearsal.png"))
