"""The review desk: first/final review, the director's queue and follow-up, as one widget:
`wenzheng-studio review` on a reviewer's PC, or a window from the control room (Ctrl+R)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMessageBox, QPushButton, QSplitter, QTabWidget, QVBoxLayout,
                               QWidget)

from ..bridge import EngineBridge
from ..connection import ConnectionBanner, RehearsalBadge, mark_rehearsal
from .followup_panel import FollowupPanel
from .model import SAME_REVIEWER, QuestionsModel
from .queue_panel import QueuePanel
from .review_panel import ReviewPanel

TITLE = "百姓问政 审核台"
__all__ = ["ReviewWidget", "QuestionsModel", "ReviewPanel", "QueuePanel", "FollowupPanel"]


class ReviewWidget(QWidget):
    def __init__(self, bridge: EngineBridge, parent=None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.connection = ConnectionBanner()
        self.rehearsal = RehearsalBadge()
        self.bridge = bridge
        self.model = QuestionsModel(bridge, self)
        self.first = ReviewPanel(self.model, "new")
        self.final = ReviewPanel(self.model, "screened")
        self.queue = QueuePanel(self.model)
        self.followup = FollowupPanel(self.model)
        review = QSplitter(Qt.Horizontal)
        review.addWidget(self.first)
        review.addWidget(self.final)
        desk = QSplitter(Qt.Horizontal)
        desk.addWidget(review)
        desk.addWidget(self.queue)
        desk.setStretchFactor(0, 3)
        desk.setStretchFactor(1, 2)
        self.tabs = QTabWidget()
        self.tabs.addTab(desk, "审核与导播队列")
        self.tabs.addTab(self.followup, "办理跟踪")
        self.message = QLabel()
        self.message.setTextFormat(Qt.PlainText)
        self.report_button = QPushButton("生成节目报告（PDF + CSV）")
        bar = QHBoxLayout()
        bar.addWidget(self.connection)
        bar.addWidget(self.rehearsal)
        bar.addWidget(self.message, 1)
        bar.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bar)
        self.override_box: QMessageBox | None = None  # the director's 是/否 after a same_reviewer refusal
        self.model.failed.connect(self.say)
        self.model.sameReviewer.connect(self.same_reviewer)
        self.report_button.clicked.connect(self.make_report)
        self.model.changed.connect(self._retitle)
        bridge.follow_identity(self.set_identity)
        # Opened from the control room (Ctrl+R) the bridge is long connected: it tells its last status now.
        bridge.follow_connection(self.connection.set_status)
        self.model.load_scene()
        self.model.refresh()

    def _retitle(self) -> None:
        mark_rehearsal(self, self.rehearsal, TITLE, self.model.scene, self.bridge.identity)

    def set_identity(self, identity) -> None:
        """Who is signed in: the title says so, and what the role cannot use is greyed out
        (ui/roles.py decides, the engine enforces)."""
        role = self.bridge.role
        for panel in (self.first, self.final, self.queue, self.followup):
            panel.set_role(role)
        self._retitle()
        if self.bridge.unauthorized:
            self.say("登录已被撤销或已失效：请导演在“人员”里生成新的登录码")

    def say(self, text: str, prefix: str = "操作未完成：", colour: str = "#c62828") -> None:
        self.message.setText(f"{prefix}{text}")
        self.message.setStyleSheet(f"color: {colour}; font-weight: bold;")

    def same_reviewer(self, qid: int, detail: str) -> None:
        """409 same_reviewer: the person who screened (or last reworded) it may not also approve it."""
        self.say(f"{SAME_REVIEWER}：#{qid} 由您初审或改稿，请另一位审核终审。", prefix="")
        self.message.setToolTip(detail)
        if self.bridge.role != "director":
            return
        box = QMessageBox(QMessageBox.Warning, "初审和终审须由两人完成",
                          f"{SAME_REVIEWER}。#{qid} 由您初审或改稿。\n\n"
                          "您是导演：越过这条规则，由您本人终审通过？（记入问题的历史和节目报告）",
                          QMessageBox.NoButton, self)
        box.setTextFormat(Qt.PlainText)
        box.yes = box.addButton("是", QMessageBox.YesRole)
        box.no = box.addButton("否", QMessageBox.NoRole)
        box.setDefaultButton(box.no)  # Enter does not override by accident
        box.setEscapeButton(box.no)

        def answered(button) -> None:
            self.override_box = None
            if button is box.yes:
                self.say(f"导演越过四眼原则终审 #{qid}……", prefix="")
                self.model.act(qid, "approve", lambda r: r.ok and self.say(f"#{qid} 已由导演越过终审", "", "#2e7d32"),
                               override=True)
        box.buttonClicked.connect(answered)
        self.override_box = box
        box.open()

    def make_report(self) -> None:
        from ..report_pdf import collect_and_write  # Qt PDF code loads only when asked

        self.say("正在生成报告……", "", "#263238")
        collect_and_write(self.bridge, on_done=self.message.setText)


def run_review(args) -> int:
    from ..operator_app import run_operator_window

    return run_operator_window(args, "review", ReviewWidget, (1280, 800))
