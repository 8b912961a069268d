"""The review desk: first/final review, the director's queue and follow-up, as one widget:
`wenzheng-studio review` on a reviewer's PC, or a window from the control room (Ctrl+R)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ..bridge import EngineBridge
from ..connection import ConnectionBanner, RehearsalBadge, mark_rehearsal
from .followup_panel import FollowupPanel
from .model import QuestionsModel
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
        self.model.failed.connect(lambda text: self.message.setText(f"操作未完成：{text}"))
        self.report_button.clicked.connect(self.make_report)
        self.model.changed.connect(lambda: mark_rehearsal(self, self.rehearsal, TITLE, self.model.scene))
        # Opened from the control room (Ctrl+R) the bridge is long connected: it tells its last status now.
        bridge.follow_connection(self.connection.set_status)
        self.model.load_scene()
        self.model.refresh()

    def make_report(self) -> None:
        from ..report_pdf import collect_and_write  # Qt PDF code loads only when asked

        self.message.setText("正在生成报告……")
        collect_and_write(self.bridge, on_done=self.message.setText)


def run_review(args) -> int:
    from ..operator_app import run_operator_window

    return run_operator_window(args, "review", ReviewWidget, (1280, 800))
