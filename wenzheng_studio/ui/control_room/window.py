"""The director's control room: panels, keyboard, connection banner, the clock tick."""

from __future__ import annotations

import gc
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractSpinBox, QComboBox, QFrame, QHBoxLayout, QLineEdit, QMainWindow,
                               QMessageBox, QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from ..bridge import EngineBridge
from ..fonts import app_font, load_app_fonts
from .actions import action_reasons
from .alert_line import AlertLine
from .clocks_panel import ClocksPanel
from .edit_widgets import EditDialog
from .editor import RunningOrderEditor
from .edits import KINDS, SPEAKER_FIELDS
from .extras import PreviewPanel, SeatCardsRow
from .graphics_panel import GraphicsPanel
from .i18n import Translator
from .live_clock import LiveClock
from ...core.message import PRESETS
from .message_panel import CLEAR_KEY, CUSTOM_KEY, PRESET_KEYS, MessagePanel
from .questions_panel import QuestionsPanel
from .running_order_panel import RunningOrderPanel
from .refusals import refusal_text
from .speakers_panel import SpeakersPanel
from ..connection import signed_in_title
from .style import (AMBER, COMPACT_SCALE, COMPACT_STYLESHEET, DIM, GREEN, RED, STYLESHEET, button, label,
                    scale_fonts, set_colour)
from .votes_panel import VotesPanel

TICK_MS = 40            # 25 Hz: clocks move every frame a viewer could notice
SLOW_TICK_EVERY = 5     # status lines and rates: 5 Hz is plenty
TAKE_GUARD_S = 0.6      # a double press of TAKE must not skip a segment
ALERT_KEEP_S = 15.0
# Below this window size (a 1366x768 laptop or studio monitor) the room goes compact: smaller
# type, lower rows and a smaller preview, so nothing needs scrolling the window.
COMPACT_BELOW = (1600, 900)
TIGHT_BELOW = 740  # maximized on a 768 px screen (title bar, task bar): a table row fewer
# stretch, minimum width full size / compact (the left column a little wider when compact:
# its three rows of speaker buttons)
COLUMNS = ((5, 420, 300), (8, 700, 440), (7, 560, 400))
COMPACT_STRETCH = (10, 16, 14)

# Two lines, each short enough for 1920 px (wrapped, never cut off, at 1366 px).
KEYS_HELP = ("Enter/F12 TAKE · Ctrl+← 上一环节 · Ctrl+1…9/Ctrl+G 跳转 · H 保持/解除 · Ctrl+E 结束 · "
             "Ctrl+Shift+E 恢复直播 · Space 计时 · N 下一位 · Shift+N 上一位 · =/- ±10秒 · Shift+R 重置 · C 清除发言人 · "
             "双击修改 · 拖动排序 · Alt+1…5/M/0 提示发言人",
             "F5 新建投票 · F6 开始 · F7 结束 · F8 公布 · Shift+F8 撤下投票 · "
             "F9 上播问题 · F10/Shift+F10 一把手/副职答复 · Shift+F9 撤下问题 · Ctrl+R 审核台 · Ctrl+O 播出窗口 · "
             "Ctrl+P 人员 · Ins/Del 插入/删除环节 · Shift+Ins/Del 添加/删除发言人 · Ctrl+Z 撤销")


def freeze_startup_objects() -> None:
    """Moves everything built at start-up (Qt wrappers, pyqtgraph, fonts) out of the garbage
    collector's reach: a full collection over them paused the GUI thread ~30 ms mid-vote."""
    gc.collect()
    gc.freeze()


class ControlRoomWindow(QMainWindow):
    def __init__(self, bridge: EngineBridge, lang: str | None = None, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.review = None  # the review desk window, made on first Ctrl+R
        self.operators = None  # the 人员 dialog, made on first Ctrl+P
        self.draw_dialog = None  # 评议代表抽选, made on first use
        self.tr_ = tr = Translator(lang)
        load_app_fonts()
        self.setFont(app_font(14))
        self.setStyleSheet(STYLESHEET)
        self.setWindowTitle(tr("百姓问政 导演台"))
        self.clock = LiveClock()
        self.state: dict[str, Any] = {}
        self.scene: dict[str, Any] = {}
        self.connection = "connecting"
        self._last_take = 0.0
        self._alert_at = 0.0
        self.rehearsal = False
        self.enabled: dict[str, bool] = {}
        self._ticks = 0
        self.tick_count = 0

        self.banner = label(tr("正在连接…"), 18, True, None, Qt.AlignCenter)
        self.banner.setMinimumWidth(240)
        self.title = label("", 22, True)
        self.title.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # elided to its room, never cut
        self.title.setMinimumWidth(160)
        self._title_text = ""
        self.compact: bool | None = None
        self.tight = False
        self.alert = AlertLine(16, True, RED)  # a long refusal shrinks to fit the bar, never grows it
        self.rehearsal_badge = label("彩排 REHEARSAL", 18, True, None, Qt.AlignCenter)
        self.rehearsal_badge.setObjectName("rehearsal_badge")
        self.rehearsal_badge.setVisible(False)
        self.hold_banner = label(tr("保持本环节 — 已锁定流程（按 H 解除）"), 18, True, None, Qt.AlignCenter)
        self.hold_banner.setObjectName("hold_banner")
        self.hold_banner.setVisible(False)
        self.ended_banner = label(tr("节目已结束 — 误按结束可点“恢复直播”"), 18, True, None, Qt.AlignCenter)
        self.ended_banner.setStyleSheet("background: #2c333d; color: #fff; border-radius: 6px; padding: 4px;")
        self.ended_banner.setVisible(False)
        self.running_order = RunningOrderPanel(tr)
        self.clocks = ClocksPanel(tr)
        self.speakers = SpeakersPanel(tr)
        self.talent = MessagePanel(tr)  # 提示发言人: the line on the floor's /timer screen
        self.votes = VotesPanel(tr, bridge, lambda text: self.confirm(text))
        self.questions = QuestionsPanel(tr, bridge)
        self.preview = PreviewPanel(tr, bridge)
        self.graphics = GraphicsPanel(tr)
        self.seat_cards = SeatCardsRow(tr, bridge, self)
        self.operators_btn = button(tr("人员"), "Ctrl+P")
        self.editor = RunningOrderEditor(self)
        self.edit_dialog: EditDialog | None = None  # the open 插入环节 / 添加发言人 dialog
        self._layout()
        self._wire()
        self._shortcuts()
        self._set_connection(*bridge.connection)  # the bridge may have connected before this window

        self.ticker = QTimer(self)
        self.ticker.setTimerType(Qt.PreciseTimer)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start(TICK_MS)

    # --- layout ------------------------------------------------------------------------
    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.banner)
        top.addWidget(self.rehearsal_badge)
        # Held or ended, the bar takes the title's place: unmissable, and no row of height
        # is taken from the question queue.
        top.addWidget(self.hold_banner, 3)
        top.addWidget(self.ended_banner, 3)
        top.addWidget(self.title, 2)
        top.addWidget(self.alert, 1)
        top.addWidget(self.seat_cards)
        top.addWidget(self.operators_btn)

        # The question queue sits in the wide middle column, under the clocks: six questions
        # and more are readable at 1920x1080 in 我要问政; the speakers go under the running order.
        left = QVBoxLayout()
        left.addWidget(self.running_order, 0)
        left.addWidget(self.speakers, 1)
        # 提示发言人 (the line the one speaking reads on the floor's /timer screen) is one row
        # where the room has it: at the foot of the speakers panel at 1920x1080 (the queue keeps
        # its seven rows), under the clocks when compact (the speakers keep theirs); _place_talent.
        self.speakers.layout().addWidget(self.talent)
        middle = QVBoxLayout()
        middle.addWidget(self.clocks, 0)
        middle.addWidget(self.questions, 1)
        self._middle = middle
        right = QVBoxLayout()
        right.addWidget(self.preview, 4)
        right.addWidget(self.graphics, 0)
        right.addWidget(self.votes, 6)

        columns = QHBoxLayout()
        # Widths come from the stretch factors alone (not from button texts), so no
        # language or long label can squeeze one column for another.
        self.columns: list[QWidget] = []
        for layout, (stretch, minimum, _compact) in zip((left, middle, right), COLUMNS):
            column = QWidget()
            column.setLayout(layout)
            layout.setContentsMargins(0, 0, 0, 0)
            column.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
            column.setMinimumWidth(minimum)
            columns.addWidget(column, stretch)
            self.columns.append(column)
        columns.setContentsMargins(0, 0, 0, 0)
        # At 1920x1080 and (compact) at 1366x768 everything fits; only a still smaller screen
        # scrolls, and the banners above and the key help below always stay in view.
        panels = QWidget()
        panels.setLayout(columns)
        self.scroll = QScrollArea()
        self.scroll.setWidget(panels)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setFocusPolicy(Qt.NoFocus)
        self.keys_help = label("\n".join(f"{self.tr_('快捷键') + ': ' if i == 0 else ''}{self.tr_(line)}"
                                         for i, line in enumerate(KEYS_HELP)), 11, False, DIM)
        self.keys_help.setWordWrap(True)
        root = QVBoxLayout()
        root.setContentsMargins(10, 4, 10, 2)
        root.setSpacing(4)
        root.addLayout(top)
        root.addWidget(self.scroll, 1)
        root.addWidget(self.keys_help)
        body = QWidget()
        body.setLayout(root)
        body.setFocusPolicy(Qt.StrongFocus)  # the keys land here, not in a text field
        self.setCentralWidget(body)
        body.setFocus()
        self.set_compact(False)

    # --- compact: a 1366x768 screen --------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        size = event.size()
        self.set_compact(size.width() < COMPACT_BELOW[0] or size.height() < COMPACT_BELOW[1],
                         size.height() < TIGHT_BELOW)
        self._fit_title()
        self._hold_alert_height()

    def _hold_alert_height(self) -> None:
        """The refusal line may wrap, but never above the top bar's own height: a second line
        must not push TAKE and every panel down under the director's mouse (the whole text is
        in the tooltip when it is cut)."""
        bar = max(w.sizeHint().height() for w in (self.banner, self.title, self.seat_cards, self.operators_btn))
        self.alert.setMaximumHeight(bar)

    def set_compact(self, on: bool, tight: bool = False) -> None:
        """Smaller type, lower rows, a smaller preview and narrower columns (1366x768), or the
        full 1920x1080 room. `tight` (maximized on a 768 px screen): a row fewer in the tables."""
        tight = on and tight
        if on == self.compact and tight == self.tight:
            return
        self.tight = tight
        if on == self.compact:
            self.running_order.set_compact(on, tight)
            self.speakers.set_compact(on, tight)
            return
        self.compact = on
        self._place_talent(on)
        self.setStyleSheet(STYLESHEET + (COMPACT_STYLESHEET if on else ""))
        self._scale_fonts()
        row = self.columns[0].parentWidget().layout()
        for i, (column, (stretch, minimum, compact)) in enumerate(zip(self.columns, COLUMNS)):
            column.setMinimumWidth(compact if on else minimum)
            row.setStretch(i, COMPACT_STRETCH[i] if on else stretch)
        self._stretch_votes()
        for panel in (self.clocks, self.questions, self.preview, self.votes, self.graphics):
            panel.set_compact(on)
        self.graphics.dock_ranking(self.preview.top if on else None)  # compact: no row of its own
        self.running_order.set_compact(on, tight)
        self.speakers.set_compact(on, tight)

    def _stretch_votes(self) -> None:
        """Compact, or a scene with sub-venues (the venue table's rows): the votes before a bigger preview."""
        right = self.columns[2].layout()
        venues = self.votes.multi_venue
        right.setStretchFactor(self.preview, 0 if venues else (2 if self.compact else 4))
        right.setStretchFactor(self.votes, 1 if venues else (8 if self.compact else 6))

    def _place_talent(self, compact: bool) -> None:
        if compact:
            self._middle.insertWidget(1, self.talent, 0)  # under the clocks
        else:
            self.speakers.layout().addWidget(self.talent)
        self.talent.setObjectName("panel" if compact else "")  # a frame of its own only when alone
        self.talent.layout().setContentsMargins(*((8, 2, 8, 2) if compact else (0, 0, 0, 0)))

    def _scale_fonts(self) -> None:
        if self.compact is not None:
            scale_fonts(self.centralWidget(), COMPACT_SCALE if self.compact else 1.0)

    def _fit_title(self) -> None:
        """The show and segment title, shortened with … when the bar is narrow (the whole in its tooltip)."""
        t = self.title
        t.setText(t.fontMetrics().elidedText(self._title_text, Qt.ElideRight, max(0, t.width() - 4)))
        t.setToolTip(self._title_text if t.text() != self._title_text else "")

    def _wire(self) -> None:
        b = self.bridge
        b.stateChanged.connect(self.on_state)
        b.tallyChanged.connect(lambda poll: self.votes.on_tally(poll, time.monotonic()))
        b.questionsChanged.connect(lambda _ids: self.questions.refresh_soon())
        self.questions.review_btn.clicked.connect(self.open_review)
        self.operators_btn.clicked.connect(lambda: self.run("operators", self.open_operators))
        self.seat_cards.draw_btn.clicked.connect(lambda: self.run("draw", self.open_draw))
        b.identityChanged.connect(lambda _who: (self.set_rehearsal(self.rehearsal), self.refresh_actions()))
        b.connectionChanged.connect(self._set_connection)
        b.commandFailed.connect(self.show_alert)
        b.tallyChanged.connect(self.preview.set_tally)
        ro = self.running_order
        ro.takeRequested.connect(self.take)
        ro.prevRequested.connect(self.previous_segment)
        ro.gotoRequested.connect(self.goto_segment)
        ro.holdRequested.connect(self.toggle_hold)
        ro.endRequested.connect(self.end_show)
        ro.resumeRequested.connect(self.resume_show)
        ro.selectionChanged.connect(self.refresh_actions)
        sp, ed = self.speakers, self.editor
        ro.editRequested.connect(lambda row, col: self.run("segment_edit", lambda: ro.start_edit(row, col)))
        ro.renameRequested.connect(lambda row, text: self.run("segment_edit", lambda: ed.rename_segment(row, text)))
        ro.retimeRequested.connect(lambda row, text: self.run("segment_edit", lambda: ed.retime_segment(row, text)))
        ro.moveRequested.connect(lambda row, to: self.run("segment_edit", lambda: ed.move_segment(row, to)))
        ro.insertRequested.connect(lambda: self.run("segment_insert", self.insert_segment))
        ro.removeRequested.connect(lambda: self.run("segment_remove", self.remove_segment))
        ro.undoRequested.connect(lambda: self.run("undo", ed.undo))
        sp.editRequested.connect(lambda row, col: self.run("speaker_edit", lambda: sp.start_edit(row, col)))
        sp.updateRequested.connect(lambda row, name, text: self.run(
            "speaker_edit", lambda: ed.update_speaker(row, name, text)))
        sp.moveRequested.connect(lambda row, to: self.run("speaker_edit", lambda: ed.move_speaker(row, to)))
        sp.insertRequested.connect(lambda: self.run("speaker_insert", self.insert_speaker))
        sp.removeRequested.connect(lambda: self.run("speaker_remove", self.remove_speaker))
        sp.selectionChanged.connect(self.refresh_actions)
        self.speakers.actionRequested.connect(lambda action, fields: b.control(action, **fields))
        self.speakers.toggle.clicked.disconnect()
        self.speakers.toggle.clicked.connect(self.toggle_timer)
        self.votes.pollShown.connect(lambda _poll: (self.refresh_actions(), self._scale_fonts()))
        self.questions.queueChanged.connect(self.refresh_actions)
        self.graphics.modeRequested.connect(lambda element, mode: b.control("overlay.set", element=element, mode=mode))
        rb = self.graphics.ranking
        rb.showRequested.connect(lambda group: self.run("ranking_show", lambda: b.control("ranking.show", group=group)))
        rb.hideRequested.connect(lambda: self.run("ranking_hide", lambda: b.control("ranking.hide")))
        rb.choiceChanged.connect(self.refresh_actions)
        self.talent.messageRequested.connect(lambda text: self.run("message_set", lambda: b.control("message.set", text=text)))
        self.talent.clearRequested.connect(lambda: self.run("message_clear", lambda: b.control("message.clear")))

    def _shortcuts(self) -> None:
        """Every key runs through `run`: a key whose action is disabled (actions.py, the same
        rule that greys out its button) does nothing but say why in the alert line."""
        v, q, sp, b = self.votes, self.questions, self.speakers, self.bridge
        ro = self.running_order
        table = [
            (("F12",), "take", self.take),
            (("Ctrl+Left",), "prev", self.previous_segment),
            (("Ctrl+G",), "goto", ro._goto_selected),
            (("H",), "hold", self.toggle_hold), (("Ctrl+E",), "end", self.end_show),
            (("Ctrl+Shift+E",), "resume", self.resume_show),
            (("Space",), "timer_toggle", self.toggle_timer), (("N",), "speaker_next", lambda: b.control("speaker.next")),
            (("Shift+N",), "speaker_prev", sp.previous),
            (("=", "+"), "timer_add", lambda: b.control("timer.add", seconds=10)),
            (("-",), "timer_add", lambda: b.control("timer.add", seconds=-10)),
            (("Shift+R",), "timer_reset", lambda: b.control("timer.reset")),
            (("C",), "speaker_clear", lambda: b.control("speaker.clear")),
            (("F5",), "poll_create", v.create_poll), (("F6",), "poll_open", v.open_poll),
            (("F7",), "poll_close", v.close_poll), (("F8",), "poll_reveal", v.reveal_poll),
            (("Shift+F8",), "poll_clear", lambda: b.control("poll.clear")),
            (("Ctrl+F8",), "venue_board", v.toggle_venue_board),
            (("F9",), "question_on_air", q.put_on_air),
            (("F10",), "question_answered", lambda: q.mark_answered("head")),
            (("Shift+F10",), "question_answered", lambda: q.mark_answered("deputy")),
            (("Shift+F9",), "question_clear", self.question_off_air),
            (("Ctrl+O",), "", self.preview.toggle.toggle),
            (("Ctrl+R",), "", self.open_review),
            (("Ctrl+P",), "operators", self.open_operators),
            (("Ins",), "segment_insert", self.insert_segment),
            (("Del",), "segment_remove", self.remove_segment),
            (("Shift+Ins",), "speaker_insert", self.insert_speaker),
            (("Shift+Del",), "speaker_remove", self.remove_speaker),
            (("Ctrl+Z",), "undo", self.editor.undo),
            ((CUSTOM_KEY,), "message_set", self.talent.ask_custom),
            ((CLEAR_KEY,), "message_clear", lambda: b.control("message.clear")),
            *(((key,), "message_set", lambda t=text: b.control("message.set", text=t))
              for key, text in zip(PRESET_KEYS, PRESETS)),
        ]
        self.shortcuts: dict[str, QShortcut] = {}

        def add(key: str, slot) -> None:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.WindowShortcut)
            sc.activated.connect(slot)
            self.shortcuts[key] = sc

        for keys, action, slot in table:
            for key in keys:
                add(key, (lambda a=action, s=slot: self.run(a, s)) if action else slot)
        for key in ("Return", "Enter"):
            add(key, self.take_from_keyboard)
        for n in range(1, 10):  # Ctrl+1 … Ctrl+9: go to that segment without the mouse
            add(f"Ctrl+{n}", lambda i=n - 1: self.run("goto", lambda: self.goto_segment(i), goto_index=i))

    # --- what can be done now (actions.py) -------------------------------------------------
    def reasons(self, **context) -> dict[str, str]:
        context.setdefault("goto_index", self.running_order.selected_index())
        context.setdefault("speaker_index", self.speakers.selected_index())
        context.setdefault("undo", self.editor.undo_label())
        context.setdefault("ranking_group", self.graphics.ranking.choice())
        return action_reasons(self.state, self.connection, poll=self.votes.poll,
                              waiting_questions=self.questions.waiting(),
                              has_presets=bool(self.votes.presets), role=self.bridge.role,
                              venues=len(self.scene.get("venues") or []) or 1, **context)

    def run(self, action: str, slot, **context) -> bool:
        """Runs `slot` if `action` is possible now; otherwise flashes the reason. True if it ran."""
        reason = self.reasons(**context).get(action, "")
        if reason:
            self.show_notice(self.tr_(reason))
            return False
        slot()
        return True

    def refresh_actions(self) -> None:
        """Every button's enabled state, from the same rule the keys obey."""
        reasons = self.reasons()
        self.enabled = {name: not why for name, why in reasons.items()}
        ro, sp, v, q = self.running_order, self.speakers, self.votes, self.questions
        buttons = {
            "take": (ro.take,), "prev": (ro.prev,), "goto": (ro.goto,), "hold": (ro.hold,), "end": (ro.end,),
            "resume": (ro.resume,),
            "speaker_next": (sp.next,), "speaker_prev": (sp.prev,), "speaker_clear": (sp.clear,),
            "timer_toggle": (sp.toggle,), "timer_add": (sp.plus, sp.minus), "timer_reset": (sp.reset,),
            "poll_create": (v.create,), "poll_open": (v.open,), "poll_close": (v.close_button,),
            "poll_reveal": (v.reveal,), "poll_clear": (v.clear,), "venue_board": (v.board,),
            "question_on_air": (q.on_air_btn,), "question_answered": (q.by_head, q.by_deputy),
            "question_clear": (q.off_air,),
            "operators": (self.operators_btn,), "draw": (self.seat_cards.draw_btn,),
            "ranking_show": (self.graphics.ranking.show_btn,), "ranking_hide": (self.graphics.ranking.hide_btn,),
            "segment_insert": (ro.insert,), "segment_remove": (ro.remove,), "undo": (ro.undo,),
            "speaker_insert": (sp.insert,), "speaker_remove": (sp.remove,),
        }
        for name, widgets in buttons.items():
            for w in widgets:
                w.setEnabled(self.enabled[name])
                w.setToolTip(self.tr_(reasons[name]))
        self.graphics.set_enabled(self.enabled["overlay_set"])
        self.talent.set_enabled(self.enabled["message_set"], self.enabled["message_clear"],
                                self.tr_(reasons["message_set"]), self.tr_(reasons["message_clear"]))
        ro.set_editable(self.enabled["segment_edit"])
        sp.set_editable(self.enabled["speaker_edit"])
        if self.enabled["undo"]:
            ro.undo.setToolTip(self.tr_("撤销：{label}").format(label=self.editor.undo_label()))
        for table, name in ((ro.table, "segment_edit"), (sp.table, "speaker_edit")):
            table.setToolTip(self.tr_("双击标题、计划时长或姓名修改，拖动排序") if self.enabled[name]
                             else self.tr_(reasons[name]))
        status = (self.state.get("show") or {}).get("status", "standby")
        ro.resume.setVisible(status == "ended")
        ro.end.setVisible(status != "ended")
        self.ended_banner.setVisible(status == "ended")

    # --- live actions --------------------------------------------------------------------
    def confirm(self, text: str) -> bool:
        box = self.confirm_box(text)
        box.exec()
        return box.clickedButton() is box.yes

    def confirm_box(self, text: str) -> QMessageBox:
        """A question with 是 / 否 buttons (not the platform's Yes/No); 否 is the default."""
        box = QMessageBox(QMessageBox.Warning, self.tr_("确认"), text, QMessageBox.NoButton, self)
        box.setTextFormat(Qt.PlainText)
        box.yes = box.addButton(self.tr_("是"), QMessageBox.YesRole)
        box.no = box.addButton(self.tr_("否"), QMessageBox.NoRole)
        for b in (box.yes, box.no):
            b.setMinimumWidth(120)
        box.setDefaultButton(box.no)  # Enter does not confirm by accident
        box.setEscapeButton(box.no)
        return box

    # --- editing the running order and the speakers live (editor.py) -------------------------
    def _open_dialog(self, title: str, fields, submit) -> EditDialog:
        """插入环节 / 添加发言人: stays open until the engine takes the edit; its refusal shows inside."""
        if self.edit_dialog is not None:
            self.edit_dialog.close()
        dialog = EditDialog(title, fields, self.tr_, self)

        def submitted(values) -> None:
            def done(ok: bool, error: str) -> None:
                if ok:
                    dialog.accept()
                elif error:
                    dialog.show_error(self.tr_(refusal_text(error)))
            submit(values, done)

        dialog.submitted.connect(submitted)
        def finished(_result) -> None:
            if self.edit_dialog is dialog:
                self.edit_dialog = None
            self.activateWindow()  # the keys are the control room's again
            self.centralWidget().setFocus()

        dialog.finished.connect(finished)
        self.edit_dialog = dialog
        dialog.open()
        return dialog

    def insert_segment(self) -> None:
        """Ins: a new segment after the selected one (title, planned mm:ss, kind)."""
        at = self.editor.insert_at()
        self._open_dialog(self.tr_("在第 {n} 位插入环节").format(n=at + 1),
                          [("title", "标题", ""), ("planned", "计划时长（分:秒）", "5:00"), ("kind", "类型", list(KINDS))],
                          lambda values, done: self.editor.insert_segment(at, values, done))

    def remove_segment(self) -> None:
        """Del: the selected segment, after 是/否 (the engine refuses the one on air and any that ran)."""
        self.editor.remove_segment(self.running_order.selected_index())

    def insert_speaker(self) -> None:
        """Shift+Ins: a speaker after the selected one (or last) in the segment on air."""
        at = self.editor.speaker_insert_at()
        self._open_dialog(self.tr_("添加发言人（第 {n} 位）").format(n=at + 1),
                          [(name, text, "") for name, text in SPEAKER_FIELDS],
                          lambda values, done: self.editor.insert_speaker(at, values, done))

    def remove_speaker(self) -> None:
        index = self.speakers.selected_index()
        if index is not None:
            self.editor.remove_speaker(index)

    def take_from_keyboard(self) -> None:
        """Enter while typing a poll title must not TAKE the next segment."""
        focus = self.focusWidget()
        if isinstance(focus, (QLineEdit, QAbstractSpinBox, QComboBox)):
            self.centralWidget().setFocus()  # Enter ends the typing; the next Enter TAKEs
            return
        self.run("take", self.take)

    def take(self) -> None:
        now = time.monotonic()
        if now - self._last_take < TAKE_GUARD_S:
            return
        self._last_take = now
        self.bridge.control("segment.next")

    def held(self) -> bool:
        return bool((self.state.get("segment") or {}).get("hold"))

    def toggle_hold(self) -> None:
        """H: hold on or off, said explicitly (a toggle sent twice must not undo itself)."""
        self.bridge.control("segment.hold", on=not self.held())

    def question_off_air(self) -> None:
        self.bridge.control("question.clear", lambda _r: self.questions.refresh())

    def _live(self) -> bool:
        return (self.state.get("show") or {}).get("status") == "live"

    def previous_segment(self) -> None:
        if not self._live() or self.confirm(self.tr_("直播中回到之前的环节？")):
            self.bridge.control("segment.prev")

    def goto_segment(self, index: int) -> None:
        current = (self.state.get("segment") or {}).get("index", 0)
        if index == current and self._live():
            return
        if index < current and self._live() and not self.confirm(self.tr_("直播中回到之前的环节？")):
            return
        self.bridge.control("segment.goto", index=index)

    def end_show(self) -> None:
        if self.confirm(self.tr_("结束整场节目？")):
            self.bridge.control("show.end")

    def resume_show(self) -> None:
        """After an accidental 结束: live again in the segment it ended in."""
        if self.confirm(self.tr_("恢复直播？节目回到结束时的环节继续，时钟照常走。")):
            self.bridge.control("show.resume")

    def toggle_timer(self) -> None:
        """Space: a timer never started in this segment starts from the preset; otherwise pause/resume."""
        timer = self.state.get("timer") or {}
        used = timer.get("running") or timer.get("duration_s") or timer.get("elapsed_s")
        if not used:
            self.bridge.control("timer.start")
        else:
            self.bridge.control("timer.toggle")

    # --- engine pushes -----------------------------------------------------------------
    def on_state(self, state: dict[str, Any]) -> None:
        self.state = state
        self.clock.update(state)
        show = state.get("show") or {}
        self._title_text = " ".join(p for p in (show.get("title", ""), (state.get("segment") or {}).get("title", "")) if p)
        self._fit_title()
        self.running_order.set_rows(state.get("running_order") or [], show.get("status", "standby"))
        held = bool((state.get("segment") or {}).get("hold"))
        self.hold_banner.setVisible(held)
        self.title.setVisible(not held and show.get("status") != "ended")
        self.running_order.set_held(held)
        self.graphics.set_modes(state.get("overlay") or {})
        self.graphics.ranking.set_board(state.get("ranking_board"))
        self.clocks.obs.set_obs(state.get("obs"))
        self.set_rehearsal(bool(show.get("rehearsal")) or bool(self.scene.get("rehearsal")))
        self.speakers.set_speakers(state.get("speakers") or [], state.get("speaker"))
        self.talent.set_message(state.get("message"))
        self.votes.on_state(state)
        self.questions.on_state(state)
        self.preview.set_state(state)
        self.refresh_actions()
        self._tick()

    def set_rehearsal(self, on: bool) -> None:
        """彩排: the title bar and a violet badge say so, so nobody mistakes it for the live show."""
        self.rehearsal = on
        self.rehearsal_badge.setVisible(on)
        base = signed_in_title(self.tr_("百姓问政 导演台"), self.bridge.identity, self.tr_)
        self.setWindowTitle(f"【彩排 REHEARSAL】{base}" if on else base)  # as the screener and review desk say it

    def _set_connection(self, status: str, detail: str) -> None:
        tr = self.tr_
        was = self.connection
        self.connection = status
        text, colour = {"connected": (tr("已连接"), GREEN), "connecting": (tr("正在连接…"), AMBER)}.get(
            status, (tr("连接中断，正在重连…"), RED))
        self.banner.setText(text)
        self.banner.setToolTip(detail)
        self.banner.setStyleSheet(f"background: {colour}; color: #000; border-radius: 6px; padding: 6px;")
        if status == "connected" and was != "connected":
            self.resync()
        self.refresh_actions()

    def resync(self) -> None:
        """After any (re)connect: the whole scene, state and queue again, not just changes."""
        self.bridge.request("GET", "/api/scene", None, self._scene_loaded)
        self.bridge.request("GET", "/api/state", None,
                            lambda r: self.on_state(r.body) if r.ok and isinstance(r.body, dict) else None)
        self.questions.refresh()

    def _scene_loaded(self, reply) -> None:
        if reply.ok and isinstance(reply.body, dict):
            self.scene = reply.body
            self.clocks.set_scene(self.scene)
            self.votes.set_scene(self.scene)
            self._stretch_votes()
            self.questions.set_scene(self.scene)
            self.seat_cards.set_scene(self.scene)
            self.graphics.ranking.set_scene(self.scene)
            self._scale_fonts()  # labels the scene made (the votes' choices) at this room's size
            show = (self.state.get("show") or {}) if self.state else {}
            self.set_rehearsal(bool(self.scene.get("rehearsal")) or bool(show.get("rehearsal")))
            self.refresh_actions()

    def show_alert(self, text: str) -> None:
        """An engine refusal: a Chinese sentence on screen, the engine's English in the tooltip."""
        self.alert.setText(f"{self.tr_('引擎拒绝')}：{self.tr_(refusal_text(text))}")
        self.alert.setToolTip(f"{self.alert.text()}\n{text}")
        set_colour(self.alert, RED)
        self._hold_alert_height()
        self._alert_at = time.monotonic()

    def show_notice(self, text: str) -> None:
        """A key whose action is not possible now: why, in amber (nothing was sent)."""
        self.alert.setText(text)
        self.alert.setToolTip(text)
        set_colour(self.alert, AMBER)
        self._hold_alert_height()
        self._alert_at = time.monotonic()

    # --- the clock tick ----------------------------------------------------------------
    def _tick(self) -> None:
        self.tick_count += 1
        if not self.state:
            return
        reading = self.clock.read()
        self.clocks.refresh(reading, bool((self.state.get("segment") or {}).get("hold")))
        self.running_order.tick(self.clock.since_update() if reading.show_status == "live" else 0.0)
        self._ticks += 1
        if self._ticks % SLOW_TICK_EVERY == 0:
            now = time.monotonic()
            self.votes.tick(now, reading.server_now)
            if self.alert.text() and now - self._alert_at > ALERT_KEEP_S:
                self.alert.setText("")

    def open_review(self) -> None:
        """The review desk (初审, 终审, the director's queue, 办理跟踪) in a window of its own,
        on this control room's engine connection."""
        from ..review import ReviewWidget  # loads only when asked

        if self.review is None:
            self.review = ReviewWidget(self.bridge)
            self.review.resize(1280, 800)
        self.review.show()
        self.review.raise_()
        self.review.activateWindow()

    def open_operators(self) -> None:
        """人员: the crew, their roles, and a one-time sign-in code for each one's PC (director only)."""
        from .operators import OperatorsDialog

        if self.operators is None:
            self.operators = OperatorsDialog(self.tr_, self.bridge, self.confirm, self)
        self.operators.show()
        self.operators.raise_()
        self.operators.activateWindow()

    def open_draw(self) -> None:
        """评议代表抽选: the pool, the draw by quota, the drawn seat cards and list (director only)."""
        from .draw_dialog import DrawDialog

        if self.draw_dialog is None:
            self.draw_dialog = DrawDialog(self.tr_, self.bridge, self)
        self.draw_dialog.set_context(self.scene, self.bridge.role)
        self.draw_dialog.reload()
        self.draw_dialog.show()
        self.draw_dialog.raise_()
        self.draw_dialog.activateWindow()

    def closeEvent(self, event) -> None:
        self.ticker.stop()
        if self.operators is not None:
            self.operators.close()
        if self.draw_dialog is not None:
            self.draw_dialog.close()
        self.preview.close_window()
        if self.review is not None:
            self.review.close()
        super().closeEvent(event)
