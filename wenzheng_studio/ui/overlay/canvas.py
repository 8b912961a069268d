"""OverlayCanvas: the 1920x1080 broadcast graphics, scaled to whatever size the widget has.

The overlay window shows it at full size on the key colour; the control room embeds it
as a live preview. A 20 ms timer drives the animations (50 fps) and runs only while
something moves or a clock ticks.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..fonts import load_app_fonts
from . import painters as P
from . import style as S
from .anim import NumberTween, Transition
from .model import ELEMENTS, OverlayModel, clock_text, one_line
from .ranking_board import paint_ranking_board
from .venue_board import paint_venue_board

FRAME_MS = 20


class OverlayCanvas(QWidget):
    def __init__(self, parent: QWidget | None = None, background: QColor | str | None = "#00B140",
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.clock = clock
        self.model = OverlayModel(clock)
        self.family = load_app_fonts()
        self.transitions = {el: Transition() for el in ELEMENTS}
        self._numbers: dict[tuple, NumberTween] = {}
        self._number_poll: Any = None
        self._last_clock = ""
        self.background: QColor | None = None
        self.set_background(background)
        self.drawn: list[str] = []  # strings drawn in the last paint (read by tests)
        self.layouts: list[dict] = []  # each title's lines, size and box in the last paint
        self._ticker = QTimer(self)
        self._ticker.setInterval(FRAME_MS)
        self._ticker.setTimerType(Qt.PreciseTimer)
        self._ticker.timeout.connect(self._tick)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(192, 108)

    # --- public interface ----------------------------------------------------------------
    def set_state(self, state: dict) -> None:
        self.model.set_state(state)
        self._retarget()

    def set_tally(self, poll: dict) -> None:
        self.model.set_tally(poll)
        self._retarget()

    def set_qr_url(self, url: str) -> None:
        self.model.set_qr_url(url)
        self._retarget()

    def set_scene(self, scene: dict) -> None:
        self.model.set_scene(scene)
        self._retarget()

    def set_background(self, colour: QColor | str | None) -> None:
        """A key colour, or None for transparent (a preview over a checkerboard, a translucent window)."""
        self.background = QColor(colour) if colour else None
        self.setAttribute(Qt.WA_OpaquePaintEvent, self.background is not None and self.background.alpha() == 255)
        self.update()

    def finish_animations(self) -> None:
        """Jumps every element and number to where it is heading (screenshots, tests)."""
        for tr in self.transitions.values():
            tr.finish()
        for tw in self._numbers.values():
            tw.finish()
        self.update()

    def shown(self, element: str) -> bool:
        """True while the element is on screen or on its way in or out."""
        return self.transitions[element].value(self.clock()) > 0.001

    def sizeHint(self) -> QSize:
        return QSize(S.DESIGN_W // 2, S.DESIGN_H // 2)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return round(width * S.DESIGN_H / S.DESIGN_W)

    def render_image(self, width: int = S.DESIGN_W, height: int = S.DESIGN_H) -> QImage:
        """The current frame as an image of the given size (transparent where no background)."""
        image = QImage(width, height, QImage.Format_ARGB32_Premultiplied)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        self._paint(painter, width, height)
        painter.end()
        return image

    # --- animation -----------------------------------------------------------------------
    def _retarget(self) -> None:
        now = self.clock()
        for el in ELEMENTS:
            content = self.model.content(el)
            key = content.get("key") if content else None
            self.transitions[el].set_target(self.model.visible(el), now, key)
        self._retarget_numbers(now)
        self._keep_ticking()
        self.update()

    def _keep_ticking(self) -> None:
        if not self._ticker.isActive():
            self._ticker.start()

    def _moving(self, now: float) -> bool:
        return (any(tr.active(now) for tr in self.transitions.values())
                or any(tw.active(now) for tw in self._numbers.values()))

    def _tick(self) -> None:
        now = self.clock()
        clock_now = clock_text(self.model.timer_remaining()) + self.model.timer_state()
        if self._moving(now) or clock_now != self._last_clock:
            self._last_clock = clock_now
            self.update()
        elif not (self.model.state.get("timer") or {}).get("running"):
            self._ticker.stop()  # nothing moves: sleep until the next push

    def _retarget_numbers(self, now: float) -> None:
        """Figures glide to each new tally; a new poll's figures grow from zero."""
        poll = self.model.poll
        if poll is None or not isinstance(poll.get("tally"), dict):
            return
        if poll.get("id") != self._number_poll:
            self._numbers.clear()
            self._number_poll = poll.get("id")
        for name, target in P.tally_figures(poll).items():
            self._numbers.setdefault(name, NumberTween(0.0)).set(target, now)

    def _number(self, name: str, target: float) -> float:
        tween = self._numbers.get(name)
        return target if tween is None else tween.value(self.clock())

    # --- painting ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self._paint(painter, self.width(), self.height())
        painter.end()

    def _paint(self, painter: QPainter, width: int, height: int) -> None:
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setRenderHint(QPainter.TextAntialiasing, True)
        if self.background is not None:
            painter.fillRect(QRectF(0, 0, width, height), self.background)
        scale = min(width / S.DESIGN_W, height / S.DESIGN_H)
        painter.translate((width - S.DESIGN_W * scale) / 2, (height - S.DESIGN_H * scale) / 2)
        painter.scale(scale, scale)
        painter.setClipRect(QRectF(0, 0, S.DESIGN_W, S.DESIGN_H))
        stage = P.Stage(painter, self.family)
        self._paint_elements(stage, self.clock())
        self.drawn = stage.drawn
        self.layouts = stage.layouts

    def _paint_elements(self, st: P.Stage, now: float) -> None:
        m, tr = self.model, self.transitions
        amount = {el: tr[el].value(now) for el in ELEMENTS}
        content: dict[str, Any] = {}
        for el in ELEMENTS:  # keep what was shown so it can still animate out after it is gone
            current = m.content(el)
            if current:
                tr[el].last = current
            content[el] = tr[el].last
        if content["bug"]:
            P.paint_bug(st, content["bug"], amount["bug"], one_line((m.state.get("show") or {}).get("subtitle")))
        if content["timer"]:
            P.paint_timer(st, content["timer"], amount["timer"], m.timer_remaining(), m.timer_state())
        if content["tally"]:
            P.paint_tally(st, content["tally"], amount["tally"], self._number)
        if content["venues"]:
            paint_venue_board(st, content["venues"], amount["venues"])
        if content["qr"]:
            P.paint_qr(st, content["qr"], amount["qr"])
        if content["lower_third"]:
            # both forced on: the speaker sits above the question instead of under it
            top = S.LOWER_THIRD.top()
            if amount["question"] > 0.001:
                top = S.QUESTION.top() - S.LOWER_THIRD.height() - 16
            P.paint_lower_third(st, content["lower_third"], amount["lower_third"], top)
        if content["question"]:
            P.paint_question(st, content["question"], amount["question"])
        if content["ranking"]:
            paint_ranking_board(st, content["ranking"], amount["ranking"])
        if m.rehearsal():
            P.paint_rehearsal(st)  # last: over everything
