"""Paints each overlay element in design pixels. Text goes through QPainter.drawText with a
plain string, so viewer text is never interpreted as rich text. Every title and name is drawn
whole inside its box (shrunk, or in two lines where the box has the height); only viewer text
too long for its lines, or a name too long even at 60%, is elided."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Callable, Iterator

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QTextLayout, QTextOption

from . import style as S
from .model import clock_text

WIPE_SHIFT = 40  # design px an element slides while it wipes in


class Stage:
    """A painter in design coordinates plus the fonts, and a record of the strings drawn
    (tests read it to see exactly what reached the screen)."""

    def __init__(self, painter: QPainter, family: str):
        self.p = painter
        self.family = family
        self.drawn: list[str] = []
        self.layouts: list[dict[str, Any]] = []  # each text(): its lines, size and box (tests check the fit)

    def font(self, px: int, bold: bool = False) -> QFont:
        f = QFont(self.family)
        f.setPixelSize(px)
        f.setBold(bold)
        f.setHintingPreference(QFont.PreferNoHinting)  # same shapes at every preview scale
        return f

    def text(self, rect: QRectF, text: str, px: int, colour: QColor, bold: bool = False,
             align: Qt.AlignmentFlag = Qt.AlignLeft | Qt.AlignVCenter, two_lines: bool = False) -> float:
        """Draws `text` whole inside `rect`: at `px`, or smaller (down to MIN_FIT of it) until it
        fits; a title that still does not fit (`two_lines`) breaks into two lines; only what
        fits nowhere is elided. Returns the width it took; `layouts` records what was drawn."""
        if not text:
            return 0.0
        size, lines = fit_text(text, rect, px, bold, self.family, two_lines)
        font = self.font(size, bold)
        metrics = QFontMetricsF(font)
        self.p.setFont(font)
        self.p.setPen(colour)
        if len(lines) == 1:
            self.p.drawText(rect, int(align) | int(Qt.TextSingleLine), lines[0])
        else:
            line_h = rect.height() / len(lines)
            for i, line in enumerate(lines):
                self.p.drawText(QRectF(rect.left(), rect.top() + i * line_h, rect.width(), line_h),
                                int(align) | int(Qt.TextSingleLine), line)
        self.drawn.append("".join(lines))
        width = max(metrics.horizontalAdvance(line) for line in lines)
        self.layouts.append({"text": text, "lines": lines, "px": size, "rect": QRectF(rect), "bold": bold,
                             "width": width, "line_h": metrics.height()})
        return width

    def wrapped(self, rect: QRectF, text: str, px: int, colour: QColor, max_lines: int,
                line_h: float) -> list[str]:
        """Up to `max_lines` lines wrapped anywhere (Chinese has no spaces); the last one elided."""
        font = self.font(px)
        lines = wrap_lines(text, font, rect.width(), max_lines)
        self.p.setFont(font)
        self.p.setPen(colour)
        for i, line in enumerate(lines):
            self.p.drawText(QRectF(rect.left(), rect.top() + i * line_h, rect.width(), line_h),
                            int(Qt.AlignLeft | Qt.AlignVCenter | Qt.TextSingleLine), line)
            self.drawn.append(line)
        return lines

    def box(self, rect: QRectF, colour: QColor, radius: float = 0.0) -> None:
        self.p.setPen(Qt.NoPen)
        self.p.setBrush(colour)
        if radius:
            self.p.drawRoundedRect(rect, radius, radius)
        else:
            self.p.drawRect(rect)


MIN_FIT = 0.6  # a title shrinks to 60% of its size before it breaks or is elided


def fit_text(text: str, rect: QRectF, px: int, bold: bool, family: str, two_lines: bool) -> tuple[int, list[str]]:
    """The size and lines that draw `text` inside `rect`: one line shrunk to fit; else (two_lines,
    with the height for it) two lines, shrunk to fit; else one line at the smallest size, elided."""
    size, lines = _fit(text, round(rect.width(), 2), round(rect.height(), 2), px, bold, family, two_lines)
    return size, list(lines)


@lru_cache(maxsize=512)  # every frame paints the same titles: measure each once
def _fit(text: str, width: float, height: float, px: int, bold: bool, family: str,
         two_lines: bool) -> tuple[int, tuple[str, ...]]:
    rect = QRectF(0, 0, width, height)

    def font(size: int) -> QFont:
        f = QFont(family)
        f.setPixelSize(size)
        f.setBold(bold)
        f.setHintingPreference(QFont.PreferNoHinting)
        return f

    smallest = max(12, int(px * MIN_FIT))
    width = rect.width()
    for size in range(px, smallest - 1, -1):
        m = QFontMetricsF(font(size))
        if m.horizontalAdvance(text) <= width:
            return size, (text,)
    if two_lines:
        for size in range(px, smallest - 1, -1):
            f = font(size)
            m = QFontMetricsF(f)
            if 2 * m.height() > rect.height() + 2:
                continue
            lines = split_two(text, f, width)
            if lines and all(m.horizontalAdvance(line) <= width for line in lines):
                return size, tuple(lines)
    f = font(smallest)
    return smallest, (QFontMetricsF(f).elidedText(text, Qt.ElideRight, width),)


def split_two(text: str, font: QFont, width: float) -> list[str] | None:
    """Two lines, broken at a space if the title has one (向市民报告 听市民意见 …), else in the middle."""
    m = QFontMetricsF(font)
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    candidates = sorted(spaces, key=lambda i: abs(i - len(text) / 2)) or [len(text) // 2]
    for i in candidates:
        first, second = text[:i].rstrip(), text[i:].lstrip()
        if m.horizontalAdvance(first) <= width and m.horizontalAdvance(second) <= width:
            return [first, second]
    half = (len(text) + 1) // 2
    return [text[:half], text[half:]]


def wrap_lines(text: str, font: QFont, width: float, max_lines: int) -> list[str]:
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    spans: list[tuple[int, int]] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    lines = [text[a:a + n].strip() for a, n in spans]
    if len(lines) > max_lines:
        rest = text[spans[max_lines - 1][0]:].strip()
        lines = lines[:max_lines - 1] + [QFontMetricsF(font).elidedText(rest + "…", Qt.ElideRight, width)]
    return lines


@contextmanager
def wiped(stage: Stage, rect: QRectF, amount: float, from_right: bool = False) -> Iterator[bool]:
    """Clips to the revealed part of `rect` and slides the content in with it."""
    if amount <= 0.001:
        yield False
        return
    p = stage.p
    p.save()
    # slide first, then clip in the element's own frame: what CSS clip-path + transform does
    p.translate((1 - amount) * WIPE_SHIFT * (1 if from_right else -1), 0)
    w = rect.width() * amount
    left = rect.right() - w if from_right else rect.left()
    p.setClipRect(QRectF(left, rect.top() - 2, w, rect.height() + 4), Qt.IntersectClip)
    try:
        yield True
    finally:
        p.restore()


# --- elements ------------------------------------------------------------------------------
def paint_bug(st: Stage, c: dict[str, Any], amount: float, subtitle: str = "") -> None:
    r = S.BUG
    with wiped(st, r, amount) as on:
        if not on:
            return
        st.box(QRectF(r.left(), r.top(), 14, r.height()), S.RED)
        st.box(QRectF(r.left() + 14, r.top(), r.width() - 14, r.height()), S.NAVY)
        title_box = QRectF(r.left() + 36, r.top() + 8, r.width() - 52, 54)
        if subtitle and fit_text(c["title"], title_box, 42, True, st.family, False)[1] != [c["title"]]:
            subtitle = ""  # a title too long for one line takes the whole box, in two lines
        if subtitle:
            st.text(title_box, c["title"], 42, S.WHITE, bold=True)
            st.text(QRectF(r.left() + 36, r.top() + 62, r.width() - 52, 30), subtitle, 18, S.GOLD_LIGHT)
        else:
            st.text(QRectF(r.left() + 36, r.top(), r.width() - 52, r.height()), c["title"], 46, S.WHITE, bold=True,
                    two_lines=True)


def paint_timer(st: Stage, c: dict[str, Any], amount: float, remaining: float, state: str) -> None:
    r = S.TIMER if c["has_clock"] else QRectF(S.TIMER.left(), S.TIMER.top(), S.TIMER.width(), S.TIMER_STRIP_H)
    with wiped(st, r, amount, from_right=True) as on:
        if not on:
            return
        strip = QRectF(r.left(), r.top(), r.width(), S.TIMER_STRIP_H)
        st.box(strip, S.NAVY_DARK)
        st.box(QRectF(r.right() - 10, r.top(), 10, S.TIMER_STRIP_H), S.RED)
        st.text(strip.adjusted(20, 0, -24, 0), c["segment"], 26, S.WHITE, bold=True)
        if not c["has_clock"]:
            return
        bg, fg = S.TIMER_COLOURS.get(state, S.TIMER_COLOURS["normal"])
        body = QRectF(r.left(), strip.bottom(), r.width(), r.height() - S.TIMER_STRIP_H)
        st.box(body, bg)
        label = "超时" if state == "over" else c["label"]
        st.text(QRectF(body.left() + 20, body.top() + 10, 120, body.height() - 20), label, 30, fg, bold=state == "over")
        st.text(QRectF(body.left() + 130, body.top(), body.width() - 150, body.height()), clock_text(remaining),
                72, fg, bold=True, align=Qt.AlignRight | Qt.AlignVCenter)


def tally_rows(n: int) -> tuple[float, bool]:
    """Row height for n choices, and whether each row has room for the studio/remote line."""
    row_h = 108.0 if n <= 4 else max(38.0, 430.0 / n)
    return row_h, row_h >= 80


TALLY_HEAD_H, TALLY_FOOT_H = 76.0, 56.0


def tally_height(n: int) -> float:
    row_h, _ = tally_rows(n)
    return TALLY_HEAD_H + 16 + row_h * n + TALLY_FOOT_H


def tally_figures(poll: dict[str, Any]) -> dict[str, float]:
    """Every animated figure of a tally panel, by name, with its target value."""
    tally = poll.get("tally") or {}
    studio, remote = tally.get("studio") or {}, tally.get("remote") or {}
    combined = poll.get("combined") or {}
    out = {"ballots": float(poll.get("ballots") or 0), "studio_total": float(sum(studio.values())),
           "remote_total": float(sum(remote.values()))}
    if poll.get("score") is not None:
        out["score"] = float(poll["score"])
    for choice in poll.get("choices") or []:
        key = choice.get("key")
        out[f"pct:{key}"] = float(combined.get(key) or 0.0)
        out[f"studio:{key}"] = float(studio.get(key) or 0)
        out[f"remote:{key}"] = float(remote.get(key) or 0)
    return out


def score_text(score: float, poll: dict[str, Any]) -> str:
    """"平均分 13.00（5 位代表）": the score divides by the representatives attending (seats
    signed in, or the director's count), not by the ballots beside it (a representative who
    cast nothing counts as a blank), so say how many. Counted from the ballots: nothing to add."""
    text = f"平均分 {score:.2f}"
    attending = poll.get("attending")
    if poll.get("attending_source") in ("signed_in", "director") and isinstance(attending, int) and attending > 0:
        text += f"（{attending} 位代表）"
    return text


def paint_tally(st: Stage, poll: dict[str, Any], amount: float, number: Callable[[str, float], float]) -> None:
    """`number(name, target)` gives the animated value of a figure on its way to `target`."""
    choices = poll.get("choices") or []
    tally = poll.get("tally") or {}
    studio, remote = tally.get("studio") or {}, tally.get("remote") or {}
    combined = poll.get("combined") or {}
    r = QRectF(S.TALLY.left(), S.TALLY.top(), S.TALLY.width(), tally_height(len(choices)))
    with wiped(st, r, amount) as on:
        if not on:
            return
        head = QRectF(r.left(), r.top(), r.width(), TALLY_HEAD_H)
        st.box(head, S.RED)
        ballots = number("ballots", float(poll.get("ballots") or 0))
        right = f"共 {round(ballots):,} 票"
        if poll.get("kind") == "rating4" and poll.get("score") is not None:
            right = score_text(number('score', float(poll['score'])), poll) + " · " + right
        used = st.text(head.adjusted(24, 0, -24, 0), right, 28, S.WHITE, align=Qt.AlignRight | Qt.AlignVCenter)
        st.text(head.adjusted(24, 0, -48 - used, 0), str(poll.get("title") or ""), 36, S.WHITE, bold=True)
        body = QRectF(r.left(), head.bottom(), r.width(), r.height() - TALLY_HEAD_H)
        st.box(body, S.NAVY)
        row_h, detail = tally_rows(len(choices))
        track_x, track_w = r.left() + 270, 560.0
        bar_h = 38.0 if detail else min(30.0, row_h * 0.6)
        for i, choice in enumerate(choices):
            key = choice.get("key")
            top = body.top() + 16 + i * row_h
            pct = number(f"pct:{key}", float(combined.get(key) or 0.0))
            bar_top = top + (14 if detail else (row_h - bar_h) / 2)
            st.text(QRectF(r.left() + 28, bar_top - 6, 230, bar_h + 12), str(choice.get("label") or key),
                    34 if detail else 26, S.WHITE, bold=True)
            st.box(QRectF(track_x, bar_top, track_w, bar_h), S.TRACK, 6)
            fill_w = track_w * max(0.0, min(100.0, pct)) / 100
            if fill_w >= 1:
                grad = QLinearGradient(QPointF(track_x, 0), QPointF(track_x + track_w, 0))
                grad.setColorAt(0, S.GOLD)
                grad.setColorAt(1, S.GOLD_LIGHT)
                st.p.setPen(Qt.NoPen)
                st.p.setBrush(grad)
                st.p.drawRoundedRect(QRectF(track_x, bar_top, fill_w, bar_h), 6, 6)
            st.text(QRectF(track_x + track_w + 10, bar_top - 8, r.right() - track_x - track_w - 34, bar_h + 16),
                    f"{pct:.1f}%", 42 if detail else 28, S.GOLD_LIGHT, bold=True, align=Qt.AlignRight | Qt.AlignVCenter)
            if detail:
                s_n = round(number(f"studio:{key}", float(studio.get(key) or 0)))
                r_n = round(number(f"remote:{key}", float(remote.get(key) or 0)))
                st.text(QRectF(track_x, bar_top + bar_h + 6, track_w, 34), f"现场 {s_n:,} 票 · 场外 {r_n:,} 票",
                        22, S.LIGHT)
        foot = QRectF(r.left(), r.bottom() - TALLY_FOOT_H, r.width(), TALLY_FOOT_H)
        st.box(foot, S.NAVY_DARK)
        s_total = round(number("studio_total", float(sum(studio.values()))))
        r_total = round(number("remote_total", float(sum(remote.values()))))
        st.text(foot.adjusted(28, 0, -28, 0), f"现场 {s_total:,} 票 · 场外 {r_total:,} 票 · 综合占比", 24, S.LIGHT)
        status = "投票进行中" if poll.get("state") == "open" else "投票已结束"
        st.text(foot.adjusted(28, 0, -28, 0), status, 24, S.GOLD_LIGHT, bold=True, align=Qt.AlignRight | Qt.AlignVCenter)


def paint_qr(st: Stage, c: dict[str, Any], amount: float) -> None:
    r = S.QR
    with wiped(st, r, amount, from_right=True) as on:
        if not on:
            return
        st.box(r, S.WHITE, 14)
        image = S.qr_image(c["url"])
        module = max(1, int(S.QR_SIDE // image.width()))  # whole design pixels per module
        side = module * image.width()
        target = QRectF(r.left() + (r.width() - side) / 2, r.top() + 20 + (S.QR_SIDE - side) / 2, side, side)
        st.p.save()
        st.p.setRenderHint(QPainter.SmoothPixmapTransform, False)
        st.p.drawImage(target, image)
        st.p.restore()
        st.drawn.append(f"qr:{c['url']}")
        st.text(QRectF(r.left() + 16, r.top() + 20 + S.QR_SIDE + 6, r.width() - 32, 34), c["url"], 19, S.INK,
                align=Qt.AlignHCenter | Qt.AlignVCenter)
        band = QRectF(r.left(), r.bottom() - 80, r.width(), 80)
        st.p.save()
        st.p.setClipRect(band, Qt.IntersectClip)
        st.box(band.adjusted(0, -20, 0, 0), S.RED, 14)
        st.p.restore()
        st.text(band, S.QR_CALL, 36, S.WHITE, bold=True, align=Qt.AlignCenter)


def paint_lower_third(st: Stage, c: dict[str, Any], amount: float, top: float) -> None:
    r = QRectF(S.LOWER_THIRD.left(), top, S.LOWER_THIRD.width(), S.LOWER_THIRD.height())
    with wiped(st, r, amount) as on:
        if not on:
            return
        name_box = QRectF(r.left(), r.top(), r.width(), 96)
        st.box(name_box, S.NAVY)
        st.box(QRectF(r.left(), r.top(), 14, r.height()), S.GOLD)
        used = st.text(QRectF(r.left() + 40, r.top(), 520, 96), c["name"], 54, S.WHITE, bold=True)
        st.text(QRectF(r.left() + 40 + used + 28, r.top() + 8, r.width() - used - 100, 88), c["title"], 34, S.LIGHT)
        unit_box = QRectF(r.left() + 14, name_box.bottom(), r.width() - 14, r.height() - 96)
        st.box(unit_box, S.RED)
        st.text(unit_box.adjusted(26, 0, -24, 0), c["unit"], 30, S.WHITE)


def question_header(c: dict[str, Any]) -> str:
    parts = [S.SOURCE_LABELS.get(c.get("source"), "观众提问")]
    who = " · ".join(x for x in (c.get("name"), c.get("district")) if x)
    if who:
        parts.append(who)
    if c.get("unit"):
        parts.append(f"问：{c['unit']}")
    return "   ".join(parts)


def paint_question(st: Stage, c: dict[str, Any], amount: float) -> None:
    r = S.QUESTION
    with wiped(st, r, amount) as on:
        if not on:
            return
        head = QRectF(r.left(), r.top(), r.width(), 58)
        st.box(head, S.RED)
        st.text(head.adjusted(30, 0, -30, 0), question_header(c), 30, S.WHITE, bold=True)
        body = QRectF(r.left(), head.bottom(), r.width(), r.height() - 58)
        st.box(body, S.NAVY)
        st.box(QRectF(r.left(), head.bottom(), 14, body.height()), S.GOLD)
        st.wrapped(body.adjusted(40, 12, -40, -12), c["text"], 40, S.WHITE, max_lines=2, line_h=59)


def paint_rehearsal(st: Stage) -> None:
    """彩排: gold with dark stripes at both ends, never wiped, so a rehearsal frame that
    reaches a recording or a monitor cannot be taken for the show."""
    r = S.REHEARSAL
    st.box(r, S.GOLD, 8)
    ink = S.TIMER_COLOURS["warning"][1]
    for x in (r.left() + 14, r.right() - 26):
        st.box(QRectF(x, r.top() + 12, 12, r.height() - 24), ink, 3)
    st.text(r.adjusted(40, 0, -40, 0), S.REHEARSAL_TEXT, 40, ink, bold=True, align=Qt.AlignCenter)
