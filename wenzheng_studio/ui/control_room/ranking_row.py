"""The ranking board's row in the graphics panel: pick a group, 上屏 reveals its board, 撤下 takes
it off (control actions `ranking.show` {"group"} / `ranking.hide`).

Whether each button is enabled is decided in actions.py (`ranking_show`, `ranking_hide`) like
every other button; this row only shows the groups and says which board is on air. A scene
without unit groups (百姓问政) has no board: the panel keeps the row hidden.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSizePolicy, QWidget

from .i18n import Translator
from .style import DIM, app_font, button, label

NO_GROUP = "全部单位"  # units without a group are ranked together under ""


def scene_groups(scene: dict[str, Any]) -> list[str]:
    """The scene's unit groups in order, or [] when no unit has one (no board to show)."""
    groups: list[str] = []
    for unit in scene.get("units") or []:
        group = str((unit or {}).get("group") or "") if isinstance(unit, dict) else ""
        if group not in groups:
            groups.append(group)
    return groups if any(groups) else []


class RankingBoardRow(QWidget):
    showRequested = Signal(str)  # the group
    hideRequested = Signal()
    choiceChanged = Signal()
    shownChanged = Signal(bool)  # the scene has groups (the row is there) or not

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.tr_ = tr
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(6)
        self.heading = label(tr("排名榜"), 14, False)
        self.groups = QComboBox()
        self.groups.setFont(app_font(12))
        self.groups.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.groups.setMinimumContentsLength(5)  # a long group name never widens the column
        self.groups.setMinimumWidth(104)  # …and the name picked stays readable
        self.groups.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.groups.currentIndexChanged.connect(lambda _i: self.choiceChanged.emit())
        self.show_btn = button(tr("上屏"), size=12)
        self.show_btn.setObjectName("ranking_show")
        self.hide_btn = button(tr("撤下"), size=12)
        self.hide_btn.setObjectName("ranking_hide")
        self.on_air = label("", 12, False, DIM)
        self.on_air.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.show_btn.clicked.connect(self._show)
        self.hide_btn.clicked.connect(self.hideRequested.emit)
        line.addWidget(self.heading)
        line.addWidget(self.groups, 3)
        line.addWidget(self.show_btn)
        line.addWidget(self.hide_btn)
        line.addWidget(self.on_air, 2)
        self.available = False

    def set_scene(self, scene: dict[str, Any]) -> None:
        groups = scene_groups(scene)
        chosen = self.choice()
        self.groups.blockSignals(True)
        self.groups.clear()
        for group in groups:
            self.groups.addItem(group or self.tr_(NO_GROUP), group)
        if chosen is not None and chosen in groups:
            self.groups.setCurrentIndex(groups.index(chosen))
        self.groups.blockSignals(False)
        self.available = bool(groups)
        self.shownChanged.emit(self.available)  # the panel places it (graphics_panel.py)
        self.choiceChanged.emit()

    def set_compact(self, on: bool) -> None:
        """Compact (in the preview's title row): the picker and the two buttons; what is on air is
        said by the tooltip and by the preview itself."""
        self.heading.setVisible(not on)
        self.on_air.setVisible(not on)

    def set_board(self, board: Any) -> None:
        """What is on air now (the state's ranking_board)."""
        group = board.get("group") if isinstance(board, dict) else None
        self.on_air.setText(self.tr_("播出中：{group}").format(group=group or self.tr_(NO_GROUP))
                            if group is not None else self.tr_("未上屏"))
        self.setToolTip(f"{self.tr_('排名榜')}：{self.on_air.text()}")

    def choice(self) -> str | None:
        """The group picked (None: none to pick)."""
        return self.groups.currentData() if self.groups.count() else None

    def _show(self) -> None:
        group = self.choice()
        if group is not None:
            self.showRequested.emit(group)


__all__ = ["RankingBoardRow", "scene_groups"]
