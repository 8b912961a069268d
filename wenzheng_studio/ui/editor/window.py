"""The rundown editor (节目单编辑): a scene file's running order, speakers, units, timer
presets and vote settings, checked by the engine's own loader as you type.

`wenzheng-studio edit [SCENE]`, or `--from-engine URL` for the running order an engine is
using now. Before the show, on any PC; it does not talk to a running engine unless asked to
load from one (GET /api/scene, no token needed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QInputDialog, QLabel, QLineEdit, QMainWindow, QMessageBox, QPushButton,
                               QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from ...core.scene import SEGMENT_KINDS, WEEKDAYS, SceneError
from ...core.units_import import UnitsImportError, read_units, unit_tables
from ..fonts import app_font
from ..widgets import plain_label
from .model import KIND_LABELS, POLL_LABELS, SPEAKER_LABELS, EditorDocument, fmt, locate
from .tables import RowsTable, TimersTable, number_or_text

TITLE = "Wenzheng Studio 节目单编辑"
COMMENTS_NOTE = ("注意：此文件含有注释（# …）。保存时注释不会保留——TOML 写入库 tomli-w 不写注释；"
                 "如需保留说明文字，请用“备注”栏，或先备份原文件。")
OK_STYLE = "color: #1b5e20; font-weight: bold;"
BAD_STYLE = "color: #b71c1c; font-weight: bold;"
NOTE_STYLE = "background: #fff3cd; color: #5d4200; border: 1px solid #e0b000; padding: 4px 8px;"
FIELD_ERROR_STYLE = "border: 2px solid #d32f2f; background: #ffebee;"
SEGMENT_COLUMNS = ["#", "标识", "标题", "类型", "计划", "累计", "计时预设", "发言人", "表决", "OBS 场景", "备注"]
WEEKDAY_LABELS = dict(zip(WEEKDAYS, ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")))
VALIDATE_DELAY_MS = 150


class SegmentForm(QGroupBox):
    """The selected segment's fields. A `for_each` segment (one slot per unit) shows its
    group and key prefix instead of a key and a speaker list."""

    FIELDS = ("key", "title", "planned", "kind", "timer", "speakers", "group", "poll_kind", "poll_title",
              "note", "obs_scene", "obs_mute")

    def __init__(self, parent=None):
        super().__init__("环节", parent)
        self.key = QLineEdit(placeholderText="如 pledge（小写字母、数字、- 或 _）")
        self.title = QLineEdit(placeholderText="如 亮相表态")
        self.planned = QLineEdit(placeholderText="分:秒，如 5:00")
        self.planned_hint = QLabel()
        self.kind = QComboBox()
        for k in SEGMENT_KINDS:
            self.kind.addItem(f"{KIND_LABELS[k]}（{k}）", k)
        self.timer = QComboBox()
        self.speakers = QComboBox()
        self.group = QComboBox()
        self.poll_kind = QComboBox()
        self.poll_kind.addItem("（无）", None)
        for k, label in POLL_LABELS.items():
            self.poll_kind.addItem(f"{label}（{k}）", k)
        self.poll_title = QLineEdit(placeholderText="如 您对各单位的整改情况是否满意？")
        self.note = QLineEdit(placeholderText="给导演和现场的提示")
        self.obs_scene = QLineEdit(placeholderText="OBS 中的场景名（可不填）")
        self.obs_mute = QLineEdit(placeholderText="到零切断时静音的输入，如 讲台话筒")
        self.for_each_note = plain_label("")
        self.for_each_note.setStyleSheet("color: #0d47a1;")
        planned_row = QHBoxLayout()
        planned_row.addWidget(self.planned, 1)
        planned_row.addWidget(self.planned_hint)
        form = QFormLayout(self)
        self.key_label = QLabel("标识 key")
        form.addRow(self.for_each_note)
        form.addRow(self.key_label, self.key)
        form.addRow("标题", self.title)
        form.addRow("计划时长", planned_row)
        form.addRow("类型", self.kind)
        form.addRow("计时预设", self.timer)
        self.speakers_label = QLabel("发言人")
        form.addRow(self.speakers_label, self.speakers)
        self.group_label = QLabel("单位分组")
        form.addRow(self.group_label, self.group)
        form.addRow("表决方式", self.poll_kind)
        form.addRow("表决标题", self.poll_title)
        form.addRow("备注", self.note)
        form.addRow("OBS 场景", self.obs_scene)
        form.addRow("OBS 静音", self.obs_mute)
        self.form = form

    def widget(self, field: str) -> QWidget | None:
        field = {"key_prefix": "key", "for_each": "key"}.get(field, field)
        return getattr(self, field, None) if field in self.FIELDS else None


class EditorWindow(QMainWindow):
    def __init__(self, document: EditorDocument | None = None, parent=None):
        super().__init__(parent)
        self.doc = document or EditorDocument({"show": {}, "vote": {}, "segments": []})
        self.error: SceneError | None = None
        self._loading = False
        self._marked: list[QWidget] = []
        self._validate_timer = QTimer(self, singleShot=True, interval=VALIDATE_DELAY_MS)
        self._validate_timer.timeout.connect(self.validate)

        self.path_label = plain_label()
        self.path_label.setStyleSheet("color: #455a64;")
        self.comments_note = plain_label(COMMENTS_NOTE)
        self.comments_note.setStyleSheet(NOTE_STYLE)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._segments_tab(), "节目流程")
        self.tabs.addTab(self._show_tab(), "节目信息")
        self.units = RowsTable([("name", "单位名称"), ("short", "简称"), ("head", "负责人"), ("title", "职务"),
                                ("group", "分组")], lambda: self.doc.people("units"), self.confirm, "单位")
        self.import_button = QPushButton("导入单位…")
        self.import_button.setToolTip("从 CSV 或 XLSX 表格导入单位名单（单位、简称、负责人、职务、分组）")
        self.import_button.clicked.connect(self.import_units_dialog)
        self.units.buttons.addWidget(self.import_button)
        self.tabs.addTab(self.units, "单位")
        self.experts = RowsTable([("name", "姓名"), ("title", "身份 / 职务"), ("unit", "单位")],
                                 lambda: self.doc.people("experts"), self.confirm, "嘉宾")
        self.citizens = RowsTable([("name", "姓名"), ("title", "身份"), ("unit", "单位")],
                                  lambda: self.doc.people("citizens"), self.confirm, "市民代表")
        people = QWidget()
        pl = QHBoxLayout(people)
        for label, table in (("嘉宾（点评）", self.experts), ("市民代表（建言）", self.citizens)):
            box = QGroupBox(label)
            QVBoxLayout(box).addWidget(table)
            pl.addWidget(box)
        self.tabs.addTab(people, "嘉宾与市民")
        self.timers = TimersTable(lambda: self.doc.timers, lambda: self.doc.segments, self.confirm)
        self.tabs.addTab(self.timers, "计时预设")
        self.tabs.addTab(self._vote_tab(), "投票")
        for table in (self.units, self.experts, self.citizens, self.timers):
            table.changed.connect(self.changed)
        self.units.changed.connect(self._refresh_segment_choices)
        self.timers.changed.connect(self._refresh_segment_choices)

        self.total_label = QLabel()
        self.total_label.setFont(app_font(13, bold=True))
        self.fix_total = QPushButton("计划总时长设为合计")
        self.fix_total.clicked.connect(self.set_total_to_sum)
        self.status = plain_label()
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.goto_error = QPushButton("定位")
        self.goto_error.setToolTip("转到出错的字段")
        self.goto_error.clicked.connect(lambda: self.point_at(self.error))
        self.save_button = QPushButton("保存 (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        bottom = QHBoxLayout()
        bottom.addWidget(self.total_label)
        bottom.addWidget(self.fix_total)
        bottom.addSpacing(16)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.goto_error)
        bottom.addWidget(self.save_button)

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.addWidget(self.path_label)
        lay.addWidget(self.comments_note)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(bottom)
        self.setCentralWidget(central)
        self._menus()
        self.load_document(self.doc)

    # --- building -----------------------------------------------------------------------
    def _segments_tab(self) -> QWidget:
        self.seg_table = QTableWidget(0, len(SEGMENT_COLUMNS))
        self.seg_table.setHorizontalHeaderLabels(SEGMENT_COLUMNS)
        self.seg_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.seg_table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.seg_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.seg_table.verticalHeader().setVisible(False)
        header = self.seg_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.seg_table.currentCellChanged.connect(lambda row, *_: self._load_form(row))
        self.form = SegmentForm()
        f = self.form
        for w in (f.key, f.title, f.planned, f.poll_title, f.note, f.obs_scene, f.obs_mute):
            w.textEdited.connect(self._form_edited)
        for w in (f.kind, f.timer, f.speakers, f.group, f.poll_kind):
            w.activated.connect(self._form_edited)
        self.insert_button = QPushButton("插入环节 (Insert)")
        self.delete_button = QPushButton("删除环节 (Delete)")
        self.up_button = QPushButton("上移 (Ctrl+↑)")
        self.down_button = QPushButton("下移 (Ctrl+↓)")
        self.insert_button.clicked.connect(self.insert_segment)
        self.delete_button.clicked.connect(self.delete_segment)
        self.up_button.clicked.connect(lambda: self.move_segment(-1))
        self.down_button.clicked.connect(lambda: self.move_segment(1))
        buttons = QHBoxLayout()
        for b in (self.insert_button, self.delete_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.seg_table, 1)
        ll.addLayout(buttons)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.form)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        page = QWidget()
        QVBoxLayout(page).addWidget(split)
        # Insert and Ctrl+↑/↓ anywhere on this page (text fields do not use them); Delete
        # only on the table, where it cannot be meant for a character.
        for key, slot in ((QKeySequence(Qt.Key_Insert), self.insert_segment),
                          (QKeySequence("Ctrl+Up"), lambda: self.move_segment(-1)),
                          (QKeySequence("Ctrl+Down"), lambda: self.move_segment(1))):
            QShortcut(key, page, slot, context=Qt.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key_Delete), self.seg_table, self.delete_segment, context=Qt.WidgetShortcut)
        self.segments_page = page
        return page

    def _show_tab(self) -> QWidget:
        self.show_fields: dict[str, QWidget] = {}
        page = QWidget()
        form = QFormLayout(page)
        for key, label, hint in (("title", "节目名称", "如 百姓问政"), ("subtitle", "副标题", ""),
                                 ("start", "开播时间", "时:分，如 20:10（可不填）"),
                                 ("timezone", "时区", "Asia/Shanghai"),
                                 ("planned_total", "计划总时长", "分:秒，如 70:00；须等于各环节合计")):
            edit = QLineEdit(placeholderText=hint)
            edit.textEdited.connect(lambda text, key=key: self._set_show(key, text))
            self.show_fields[key] = edit
            form.addRow(label, edit)
        weekday = QComboBox()
        weekday.addItem("（不固定）", None)
        for day in WEEKDAYS:
            weekday.addItem(WEEKDAY_LABELS[day], day)
        weekday.activated.connect(lambda _: self._set_show("weekday", weekday.currentData() or ""))
        self.show_fields["weekday"] = weekday
        form.insertRow(3, "播出日", weekday)
        return page

    def _vote_tab(self) -> QWidget:
        self.vote_fields: dict[str, QLineEdit] = {}
        page = QWidget()
        form = QFormLayout(page)
        for key, label, hint in (("studio_weight", "现场权重", "如 0.5"), ("remote_weight", "场外权重", "如 0.5"),
                                 ("venues", "会场", "以逗号分隔，如 main, sub01, sub02"),
                                 ("countdown_s", "投票倒计时（秒）", "0 = 不自动结束")):
            edit = QLineEdit(placeholderText=hint)
            edit.textEdited.connect(lambda text, key=key: self._set_vote(key, text))
            self.vote_fields[key] = edit
            form.addRow(label, edit)
        form.addRow(plain_label("合计结果 = 现场占比 × 现场权重 + 场外占比 × 场外权重（两者不能都为 0）。"
                                "会场用于分会场分别计票（如三民报告会的 12 个分会场）。"))
        return page

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件")
        for label, key, slot in (("打开…", QKeySequence.Open, self.open_dialog),
                                 ("保存", QKeySequence.Save, self.save),
                                 ("另存为…", QKeySequence("Ctrl+Shift+S"), self.save_as),
                                 ("从引擎载入正在使用的节目单…", None, self.from_engine_dialog),
                                 ("关闭", QKeySequence.Close, self.close)):
            action = QAction(label, self)
            if key is not None:
                action.setShortcut(key)
            action.triggered.connect(slot)
            file_menu.addAction(action)
            setattr(self, f"action_{slot.__name__}", action)
        self.addActions(file_menu.actions())
        units_menu = self.menuBar().addMenu("单位")
        act = QAction("导入单位…", self)
        act.triggered.connect(self.import_units_dialog)
        units_menu.addAction(act)

    # --- the document ---------------------------------------------------------------------
    def load_document(self, doc: EditorDocument) -> None:
        self.doc = doc
        self._loading = True
        try:
            for key, w in self.show_fields.items():
                value = doc.show.get(key)
                if isinstance(w, QComboBox):
                    w.setCurrentIndex(max(w.findData(value.lower() if isinstance(value, str) else None), 0))
                else:
                    w.setText("" if value is None else str(value))
            for key, w in self.vote_fields.items():
                value = doc.vote.get(key)
                if key == "venues" and isinstance(value, list):
                    value = ", ".join(str(v) for v in value)
                w.setText("" if value is None else str(value))
            for table in (self.units, self.experts, self.citizens, self.timers):
                table.load()
            self._fill_segments()
        finally:
            self._loading = False
        if doc.segments:
            self.seg_table.setCurrentCell(0, 0)
        self._load_form(self.seg_table.currentRow())
        self.comments_note.setVisible(doc.had_comments)
        self._update_title()
        self.validate()

    def changed(self) -> None:
        if self._loading:
            return
        self.doc.dirty = True
        self._update_title()
        self._update_totals()
        self._validate_timer.start()

    def _update_title(self) -> None:
        name = self.doc.path.name if self.doc.path else "（未保存）"
        self.setWindowTitle(f"{TITLE} — {name}{' *' if self.doc.dirty else ''}")
        if self.doc.path:
            where = f"文件：{self.doc.path}"
        elif self.doc.origin:
            where = f"来自 {self.doc.origin}，尚未保存：Ctrl+S 选择保存位置"
        else:
            where = "尚未保存：Ctrl+S 选择保存位置"
        self.path_label.setText(where)

    def _set_show(self, key: str, text: str) -> None:
        if self._loading:
            return
        text = text.strip()
        if text or key == "title":
            self.doc.show[key] = text  # an empty title: the loader says it must not be empty
        else:
            self.doc.show.pop(key, None)  # e.g. no planned_total: nothing to compare
        self.changed()

    def _set_vote(self, key: str, text: str) -> None:
        if self._loading:
            return
        if key == "venues":
            value: Any = [v for v in text.replace("，", ",").replace(" ", ",").split(",") if v]
        else:
            value = number_or_text(text, float if key.endswith("weight") else int)
        if value is None:
            self.doc.vote.pop(key, None)
        else:
            self.doc.vote[key] = value
        self.changed()

    def set_total_to_sum(self) -> None:
        total, _ = self.doc.totals()
        self.doc.show["planned_total"] = fmt(total)
        self._loading = True
        self.show_fields["planned_total"].setText(fmt(total))
        self._loading = False
        self.changed()

    # --- segments ---------------------------------------------------------------------------
    def _fill_segments(self) -> None:
        table = self.seg_table
        table.setRowCount(len(self.doc.segments))
        elapsed = 0
        for row, s in enumerate(self.doc.segments):
            elapsed = self._fill_row(row, s, elapsed)
        self._update_totals()

    def _fill_row(self, row: int, s: dict[str, Any], elapsed: int) -> int:
        from ...core.scene_writer import parse_duration

        count = self.doc.expansion(s)
        seconds = (parse_duration(s.get("planned")) or 0) * count
        elapsed += seconds
        for_each = s.get("for_each") is not None
        key = f"{s.get('key_prefix', '')}-1…{count}" if for_each else str(s.get("key", ""))
        title = str(s.get("title", "{unit}" if for_each else ""))
        if for_each:
            title = f"{title} ×{count}（{s['group'] if s.get('group') else '全部单位'}）"
        planned = str(s.get("planned", ""))
        if for_each:
            planned = f"{planned}×{count}"
        speakers = s.get("speakers", "units" if for_each else "none")
        speakers = (f"名单 {len(speakers)} 人" if isinstance(speakers, list)
                    else SPEAKER_LABELS.get(str(speakers), str(speakers)))
        if for_each:
            speakers = "本单位负责人"
        timer = s.get("timer")
        timer = "自定义" if isinstance(timer, dict) else (timer or "")
        kind = str(s.get("kind", "speakers" if for_each else "plain"))
        poll = POLL_LABELS.get(s.get("poll_kind"), "") if s.get("poll_kind") else ""
        values = [str(row + 1), key, title, KIND_LABELS.get(kind, kind), planned, fmt(elapsed), str(timer),
                  speakers, poll, str(s.get("obs_scene", "")), str(s.get("note", ""))]
        for col, text in enumerate(values):
            item = self.seg_table.item(row, col)
            if item is None:
                item = QTableWidgetItem()
                self.seg_table.setItem(row, col, item)
            item.setText(text)
            item.setBackground(QColor(0, 0, 0, 0))
            if for_each:
                item.setForeground(QColor("#0d47a1"))
            else:
                item.setData(Qt.ForegroundRole, None)
        return elapsed

    def _refresh_rows(self) -> None:
        elapsed = 0
        for row, s in enumerate(self.doc.segments):
            elapsed = self._fill_row(row, s, elapsed)

    def _refresh_segment_choices(self) -> None:
        self._load_form(self.seg_table.currentRow())
        self._refresh_rows()

    def current_segment(self) -> dict[str, Any] | None:
        row = self.seg_table.currentRow()
        return self.doc.segments[row] if 0 <= row < len(self.doc.segments) else None

    def _load_form(self, row: int) -> None:
        f = self.form
        s = self.doc.segments[row] if 0 <= row < len(self.doc.segments) else None
        f.setEnabled(s is not None)
        if s is None:
            return
        self._loading = True
        try:
            for_each = s.get("for_each") is not None
            f.setTitle(f"环节 {row + 1}" + ("（每个单位一段）" if for_each else ""))
            f.for_each_note.setVisible(for_each)
            f.for_each_note.setText("每个单位一段（for_each = \"units\"）：标题和表决标题中的 {unit} 换成单位名称，"
                                    "发言人是该单位的负责人；标识为 前缀-1、前缀-2 …")
            f.key_label.setText("标识前缀 key_prefix" if for_each else "标识 key")
            f.key.setText(str(s.get("key_prefix" if for_each else "key", "")))
            f.title.setText(str(s.get("title", "")))
            f.planned.setText(str(s.get("planned", "")))
            count = self.doc.expansion(s)
            f.planned_hint.setText(f"× {count} 个单位" if for_each else "")
            kind = s.get("kind", "speakers" if for_each else "plain")
            f.kind.setCurrentIndex(max(f.kind.findData(kind), 0))
            f.timer.clear()
            f.timer.addItem("（无）", None)
            for name, p in self.doc.timers.items():
                secs = p.get("seconds") if isinstance(p, dict) else "?"
                f.timer.addItem(f"{name}（{secs} 秒）", name)
            timer = s.get("timer")
            if isinstance(timer, dict):
                f.timer.addItem(f"本环节自定义（{timer.get('seconds', '?')} 秒）", "__inline__")
                f.timer.setCurrentIndex(f.timer.count() - 1)
            else:
                index = f.timer.findData(timer) if timer else 0
                if index < 0:  # names a preset that is not there: show it, the loader says so
                    f.timer.addItem(f"{timer}（未定义）", timer)
                    index = f.timer.count() - 1
                f.timer.setCurrentIndex(index)
            f.speakers.clear()
            for key, label in SPEAKER_LABELS.items():
                n = {"units": len(self.doc.people("units")), "experts": len(self.doc.people("experts")),
                     "citizens": len(self.doc.people("citizens"))}.get(key)
                f.speakers.addItem(label + (f"（{n} 人）" if n is not None else ""), key)
            speakers = s.get("speakers", "none")
            if isinstance(speakers, list):
                f.speakers.addItem(f"本环节名单（{len(speakers)} 人）", "__list__")
                f.speakers.setCurrentIndex(f.speakers.count() - 1)
            else:
                f.speakers.setCurrentIndex(max(f.speakers.findData(speakers), 0))
            f.speakers.setVisible(not for_each)
            f.speakers_label.setVisible(not for_each)
            f.group.clear()
            f.group.addItem("（全部单位）", None)
            for g in self.doc.groups():
                f.group.addItem(g, g)
            group = s.get("group")
            if group is not None and f.group.findData(group) < 0:
                f.group.addItem(f"{group}（没有单位）", group)
            f.group.setCurrentIndex(max(f.group.findData(group), 0))
            f.group.setVisible(for_each)
            f.group_label.setVisible(for_each)
            f.poll_kind.setCurrentIndex(max(f.poll_kind.findData(s.get("poll_kind")), 0))
            for name in ("poll_title", "note", "obs_scene", "obs_mute"):
                getattr(f, name).setText(str(s.get(name, "")))
        finally:
            self._loading = False

    def _form_edited(self, *_: Any) -> None:
        if self._loading:
            return
        s = self.current_segment()
        if s is None:
            return
        f = self.form
        for_each = s.get("for_each") is not None
        s["key_prefix" if for_each else "key"] = f.key.text().strip()
        if f.title.text().strip() or not for_each:
            s["title"] = f.title.text().strip()
        else:
            s.pop("title", None)
        s["planned"] = f.planned.text().strip()
        s["kind"] = f.kind.currentData()
        timer = f.timer.currentData()
        if timer is None:
            s.pop("timer", None)
        elif timer != "__inline__":
            s["timer"] = timer
        if not for_each:
            speakers = f.speakers.currentData()
            if speakers == "none":
                s.pop("speakers", None)
            elif speakers != "__list__":
                s["speakers"] = speakers
        else:
            group = f.group.currentData()
            if group is None:
                s.pop("group", None)
            else:
                s["group"] = group
            f.planned_hint.setText(f"× {self.doc.expansion(s)} 个单位")
        poll = f.poll_kind.currentData()
        if poll is None:
            s.pop("poll_kind", None)
        else:
            s["poll_kind"] = poll
        for name in ("poll_title", "note", "obs_scene", "obs_mute"):
            text = getattr(f, name).text().strip()
            if text:
                s[name] = text
            else:
                s.pop(name, None)
        for w in self.form.findChildren(QWidget):
            if w in self._marked:
                w.setStyleSheet("")
        self._refresh_rows()
        self.changed()

    def _new_key(self) -> str:
        taken = {str(s.get("key", "")) for s in self.doc.segments}
        n = len(self.doc.segments) + 1
        while f"seg-{n}" in taken:
            n += 1
        return f"seg-{n}"

    def insert_segment(self) -> None:
        """Insert: a new segment after the selected one (1:00 of 普通; the total moves with it)."""
        row = self.seg_table.currentRow()
        at = row + 1 if row >= 0 else len(self.doc.segments)
        self.doc.segments.insert(at, {"key": self._new_key(), "title": "新环节", "planned": "1:00", "kind": "plain"})
        self._fill_segments()
        self.seg_table.setCurrentCell(at, 0)
        self.form.title.setFocus()
        self.form.title.selectAll()
        self.changed()

    def delete_segment(self) -> None:
        row = self.seg_table.currentRow()
        if not 0 <= row < len(self.doc.segments):
            return
        s = self.doc.segments[row]
        if not self.confirm(f"删除环节 {row + 1}“{s.get('title', '')}”？"):
            return
        del self.doc.segments[row]
        self._fill_segments()
        if self.doc.segments:
            self.seg_table.setCurrentCell(min(row, len(self.doc.segments) - 1), 0)
        else:
            self._load_form(-1)
        self.seg_table.setFocus()
        self.changed()

    def move_segment(self, step: int) -> None:
        row = self.seg_table.currentRow()
        to = row + step
        segs = self.doc.segments
        if not (0 <= row < len(segs) and 0 <= to < len(segs)):
            return
        segs[row], segs[to] = segs[to], segs[row]
        self._refresh_rows()
        self.seg_table.setCurrentCell(to, self.seg_table.currentColumn())
        self.changed()

    # --- the loader's verdict -----------------------------------------------------------------
    def _update_totals(self) -> None:
        total, planned = self.doc.totals()
        if planned is None:
            text, ok = f"各环节合计 {fmt(total)}（未设计划总时长）", True
        else:
            ok = planned == total
            diff = total - planned
            text = (f"计划总时长 {fmt(planned)} · 各环节合计 {fmt(total)}"
                    + ("  ✓" if ok else f"  ✗ {'多' if diff > 0 else '少'} {fmt(abs(diff))}"))
        self.total_label.setText(text)
        self.total_label.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        self.fix_total.setVisible(not ok)

    def validate(self) -> SceneError | None:
        """Runs the engine's loader on what a save would write; shows its message, if any."""
        self._validate_timer.stop()
        self._clear_marks()
        self._update_totals()
        try:
            scene = self.doc.check()
        except SceneError as exc:
            self.error = exc
            self.status.setText(f"引擎会拒绝此节目单：{exc.where + ': ' if exc.where else ''}{exc.detail}")
            self.status.setToolTip(str(exc))
            self.status.setStyleSheet(BAD_STYLE)
            self.goto_error.setVisible(True)
            self._mark(exc)
            return exc
        self.error = None
        self.status.setText(f"✓ 校验通过（与引擎同一规则）：{len(scene.segments)} 个环节，"
                            f"{len(scene.units)} 个单位，共 {fmt(scene.planned_s)}")
        self.status.setToolTip("")
        self.status.setStyleSheet(OK_STYLE)
        self.goto_error.setVisible(False)
        return None

    def _clear_marks(self) -> None:
        for w in self._marked:
            w.setStyleSheet("")
        self._marked = []
        for row in range(self.seg_table.rowCount()):
            for col in range(self.seg_table.columnCount()):
                item = self.seg_table.item(row, col)
                if item is not None:
                    item.setBackground(QColor(0, 0, 0, 0))
        for table in (self.units, self.experts, self.citizens, self.timers):
            table.clear_marks()

    def _target(self, error: SceneError) -> tuple[str, Any, str, QWidget | None]:
        tab, index, field = locate(self.doc, error)
        widget = None
        if tab == "show":
            widget = self.show_fields.get(field.split(".")[0]) or self.show_fields["title"]
        elif tab == "vote":
            widget = self.vote_fields.get(field) or self.vote_fields["studio_weight"]
        elif tab == "segments" and index is not None:
            widget = self.form.widget(field.split("[")[0]) or self.form.title
        return tab, index, field, widget

    def _mark(self, error: SceneError) -> None:
        """Marks the field the loader named, without moving the focus (typing goes on)."""
        tab, index, field, widget = self._target(error)
        if tab == "segments" and index is not None:
            if 0 <= index < self.seg_table.rowCount():
                for col in range(self.seg_table.columnCount()):
                    self.seg_table.item(index, col).setBackground(QColor("#ffcdd2"))
            if index != self.seg_table.currentRow():
                widget = None
        if tab in ("units", "experts", "citizens") and index is not None:
            getattr(self, tab).mark(index, field or "name")
        if tab == "timers":
            self.timers.mark(self.timers.row_of(index), field or "seconds")
        if widget is not None:
            widget.setStyleSheet(FIELD_ERROR_STYLE)
            self._marked.append(widget)

    def point_at(self, error: SceneError | None) -> None:
        """Shows the tab, the row and the field the loader's message is about."""
        if error is None:
            return
        tab, index, field, _ = self._target(error)
        page = {"segments": self.segments_page, "show": self.show_fields["title"].parentWidget(),
                "vote": self.vote_fields["studio_weight"].parentWidget(), "units": self.units,
                "experts": self.experts.parentWidget().parentWidget(),
                "citizens": self.citizens.parentWidget().parentWidget(), "timers": self.timers}.get(tab)
        if page is not None:
            self.tabs.setCurrentWidget(page)
        if tab == "segments" and index is not None and 0 <= index < self.seg_table.rowCount():
            self.seg_table.setCurrentCell(index, 0)
        self._clear_marks()
        self._mark(error)
        tab, index, field, widget = self._target(error)
        if widget is not None:
            widget.setFocus()

    # --- files ---------------------------------------------------------------------------------
    def confirm(self, text: str) -> bool:
        box = self.confirm_box(text)
        box.exec()
        return box.clickedButton() is box.yes

    def confirm_box(self, text: str) -> QMessageBox:
        """是 / 否 (not the platform's Yes/No); 否 is the default, so Enter never deletes."""
        box = QMessageBox(QMessageBox.Warning, "确认", text, QMessageBox.NoButton, self)
        box.setTextFormat(Qt.PlainText)
        box.yes = box.addButton("是", QMessageBox.YesRole)
        box.no = box.addButton("否", QMessageBox.NoRole)
        box.setDefaultButton(box.no)
        box.setEscapeButton(box.no)
        return box

    def tell(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self)
        box.setTextFormat(Qt.PlainText)
        box.exec()

    def save(self) -> bool:
        """Ctrl+S: only what the loader accepts is written, atomically; a refused save
        writes nothing and points at the field."""
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path or Path.cwd() / "scene.toml")
        path, _ = QFileDialog.getSaveFileName(self, "保存节目单", start, "节目单 (*.toml)")
        if not path:
            return False
        if not path.endswith(".toml"):
            path += ".toml"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        error = self.validate()
        if error is not None:
            self.status.setText(f"未保存（文件未改动）——{self.status.text()}")
            self.point_at(error)
            return False
        had_comments = self.doc.had_comments
        try:
            scene = self.doc.save(path)
        except SceneError as exc:  # the same check with the file's own name as the source
            self.validate()
            self.point_at(exc)
            return False
        except OSError as exc:
            self.status.setText(f"未保存：{exc}")
            self.status.setStyleSheet(BAD_STYLE)
            return False
        self._update_title()
        self.status.setText(f"已保存 {path.name}：{len(scene.segments)} 个环节，共 {fmt(scene.planned_s)}"
                            + ("（原有注释未保留）" if had_comments else ""))
        self.status.setStyleSheet(OK_STYLE)
        if had_comments:
            self.comments_note.setText("此文件已由编辑器保存，原有注释已去掉（tomli-w 不写注释）。")
        return True

    def open_dialog(self) -> None:
        if not self._may_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "打开节目单", str(self.doc.path.parent if self.doc.path else Path.cwd()),
                                              "节目单 (*.toml)")
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        try:
            doc = EditorDocument.open(path)
        except SceneError as exc:
            self.tell("无法打开", str(exc))
            return False
        self.comments_note.setText(COMMENTS_NOTE)
        self.load_document(doc)
        return True

    def from_engine_dialog(self) -> None:
        if not self._may_discard():
            return
        url, ok = QInputDialog.getText(self, "从引擎载入", "引擎地址：", text="http://127.0.0.1:8765")
        if ok and url.strip():
            self.load_from_engine(url.strip())

    def load_from_engine(self, url: str, token: str | None = None) -> bool:
        from . import fetch_scene

        try:
            data = fetch_scene(url, token)
        except (OSError, ValueError) as exc:
            self.tell("无法从引擎载入", f"{url}：{exc}")
            return False
        self.load_document(EditorDocument.from_api(data, url))
        self.status.setText(f"已从 {url} 载入正在使用的节目单（for_each 已展开为逐个环节）。Ctrl+S 保存为文件。"
                            if self.error is None else self.status.text())
        return True

    def import_units_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入单位", str(Path.cwd()),
                                              "表格 (*.csv *.xlsx *.txt);;所有文件 (*)")
        if path:
            self.import_units_from(Path(path))

    def import_units_from(self, path: Path) -> bool:
        """Reads the whole spreadsheet first: any bad row and nothing changes."""
        try:
            result = read_units(path)
        except UnitsImportError as exc:
            self.tell("导入单位失败", str(exc))
            return False
        have = len(self.doc.people("units"))
        question = (f"从 {path.name} 导入 {len(result.units)} 个单位"
                    + (f"，替换现有的 {have} 个" if have else "") + "？")
        if result.ignored_columns:
            question += f"\n（忽略的列：{'、'.join(result.ignored_columns)}）"
        if not self.confirm(question):
            return False
        self.doc.data["units"] = unit_tables(result.units)
        self.units.load()
        self._refresh_segment_choices()
        self.tabs.setCurrentWidget(self.units)
        self.changed()
        self.validate()
        return True

    def _may_discard(self) -> bool:
        return not self.doc.dirty or self.confirm("有未保存的修改。放弃这些修改？")

    def closeEvent(self, event) -> None:
        if self._may_discard():
            event.accept()
        else:
            event.ignore()
