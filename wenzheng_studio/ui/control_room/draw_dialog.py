"""评议代表抽选: the director's dialog for the hearing's representatives (seed 004).

Import the pool (CSV UTF-8 or XLSX), enter each sector's quota and the notary's seed (or
leave it empty: the engine generates one and shows it), draw, then issue the drawn seat
cards and print the list the notary signs. Everything is the engine's (/api/representatives…):
the dialog keeps no pool of its own, and its buttons follow actions.draw_reasons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QFileDialog, QHBoxLayout, QHeaderView,
                               QLineEdit, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout)

from ..bridge import EngineBridge
from ..fonts import app_font
from .actions import draw_reasons
from .i18n import Translator
from .refusals import pool_refusal_lines, refusal_text, split_error
from .style import DIM, RED, STYLESHEET, button, label

RESULT_COLUMNS = ("界别", "姓名", "座位号", "签号")
SEED_SOURCE = {"given": "公证员给定", "generated": "系统生成"}


class DrawDialog(QDialog):
    def __init__(self, tr: Translator, bridge: EngineBridge, parent=None):
        super().__init__(parent)
        self.tr_, self.bridge = tr, bridge
        self.setWindowTitle(tr("评议代表抽选"))
        self.setStyleSheet(STYLESHEET)
        self.pool: dict[str, Any] | None = None
        self.current: dict[str, Any] | None = None
        self.scene: dict[str, Any] = {}
        self.role: str | None = None
        self.spins: dict[str, QSpinBox] = {}

        self.import_btn = button(tr("导入代表库…"))
        self.import_btn.clicked.connect(self.choose_pool)
        self.pool_label = label(tr("还没有代表库"), 14, False, DIM)
        self.pool_label.setWordWrap(True)
        self.quotas = QTableWidget(0, 3)
        self.quotas.setHorizontalHeaderLabels([tr("界别"), tr("库中人数"), tr("名额")])
        self.quotas.verticalHeader().setVisible(False)
        self.quotas.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.quotas.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.quotas.setMinimumHeight(160)
        self.seed = QLineEdit()
        self.seed.setFont(app_font(15))
        self.seed.setPlaceholderText(tr("公证员给定的随机种子；留空则由系统生成"))
        self.seed.setMaxLength(64)
        self.replace = QCheckBox(tr("替换上一次抽选（原抽选留档）"))
        self.replace.setFont(app_font(13))
        self.replace.toggled.connect(self.refresh_actions)
        self.draw_btn = button(tr("抽选"), object_name="primary")
        self.draw_btn.clicked.connect(self.draw_now)
        self.result_label = label("", 16, True)
        self.result_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.result = QTableWidget(0, len(RESULT_COLUMNS))
        self.result.setHorizontalHeaderLabels([tr(c) for c in RESULT_COLUMNS])
        self.result.verticalHeader().setVisible(False)
        self.result.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.result.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.cards_btn = button(tr("发座位卡（PDF）…"))
        self.cards_btn.clicked.connect(self.choose_cards)
        self.list_btn = button(tr("打印抽选名单（PDF）…"))
        self.list_btn.clicked.connect(self.choose_list)
        self.status = label("", 13, False, DIM)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(self.import_btn)
        top.addWidget(self.pool_label, 1)
        seed_row = QHBoxLayout()
        seed_row.addWidget(label(tr("随机种子"), 14))
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.replace)
        seed_row.addWidget(self.draw_btn)
        out = QHBoxLayout()
        out.addWidget(self.cards_btn)
        out.addWidget(self.list_btn)
        out.addStretch(1)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.quotas)
        box.addLayout(seed_row)
        box.addWidget(self.result_label)
        box.addWidget(self.result, 1)
        box.addLayout(out)
        box.addWidget(self.status)
        self.resize(900, 760)
        self.refresh_actions()

    # --- the engine's records ----------------------------------------------------------------
    def set_context(self, scene: dict[str, Any], role: str | None) -> None:
        self.scene, self.role = scene or {}, role
        self.refresh_actions()

    def reload(self) -> None:
        self.bridge.request("GET", "/api/representatives", None, self._got_pool, quiet=True)
        self.bridge.request("GET", "/api/representatives/draw", None, self._got_draw, quiet=True)

    def _got_pool(self, reply) -> None:
        if reply.ok and isinstance(reply.body, dict):
            self.set_pool(reply.body)

    def _got_draw(self, reply) -> None:
        if reply.ok and isinstance(reply.body, dict):
            self.set_draw(reply.body.get("current"))

    def set_pool(self, pool: dict[str, Any]) -> None:
        self.pool = pool
        counts = pool.get("by_sector") or {}
        if not pool.get("size"):
            self.pool_label.setText(self.tr_("还没有代表库"))
        else:
            self.pool_label.setText(f"{self.tr_('代表库')} {pool['size']} {self.tr_('人')}：" +
                                    " · ".join(f"{s} {n}" for s, n in counts.items()))
        old = {s: spin.value() for s, spin in self.spins.items()}
        self.spins = {}
        self.quotas.setRowCount(len(counts))
        for row, (sector, n) in enumerate(counts.items()):
            self.quotas.setItem(row, 0, QTableWidgetItem(sector))
            self.quotas.setItem(row, 1, QTableWidgetItem(str(n)))
            spin = QSpinBox()
            spin.setRange(0, int(n))
            spin.setValue(min(old.get(sector, 0), int(n)))
            spin.setFont(app_font(14))
            spin.valueChanged.connect(self.refresh_actions)
            self.quotas.setCellWidget(row, 2, spin)
            self.spins[sector] = spin
        self.refresh_actions()

    def set_draw(self, record: dict[str, Any] | None) -> None:
        self.current = record
        drawn = (record or {}).get("drawn") or []
        if record:
            self.result_label.setText(f"{self.tr_('第')} {record['id']} {self.tr_('次抽选')} · {self.tr_('种子')} "
                                      f"{record['seed']}（{self.tr_(SEED_SOURCE.get(record['seed_source'], ''))}）· "
                                      f"{len(drawn)} {self.tr_('人')}")
            for sector, n in (record.get("quotas") or {}).items():
                if sector in self.spins and not any(s.value() for s in self.spins.values()):
                    self.spins[sector].setValue(int(n))
        else:
            self.result_label.setText("")
        self.result.setRowCount(len(drawn))
        for row, person in enumerate(drawn):
            for col, value in enumerate((person["sector"], person["name"], person.get("seat") or "—",
                                         str(person.get("ticket", ""))[:16])):
                item = QTableWidgetItem(value)
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                self.result.setItem(row, col, item)
        self.refresh_actions()

    def quota_values(self) -> dict[str, int]:
        return {s: spin.value() for s, spin in self.spins.items() if spin.value() > 0}

    def refresh_actions(self, *_args) -> None:
        reasons = draw_reasons(self.pool, self.current, self.role, self.bridge.connection[0],
                               sum(self.quota_values().values()), self.replace.isChecked())
        for name, widget in (("draw_import", self.import_btn), ("draw_run", self.draw_btn),
                             ("draw_cards", self.cards_btn), ("draw_list", self.list_btn)):
            widget.setEnabled(not reasons[name])
            widget.setToolTip(self.tr_(reasons[name]))
        self.enabled = {name: not why for name, why in reasons.items()}

    # --- commands -----------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {RED if error else DIM};")

    def refused(self, reply) -> None:
        error = reply.error if hasattr(reply, "error") else str(reply)
        code, message = split_error(error)
        lines = pool_refusal_lines(message) if code in ("bad_import", "bad_quota") else []
        self.say("\n".join([refusal_text(error), *lines[:12]]), error=True)

    def choose_pool(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr_("导入代表库"), "", "CSV / Excel (*.csv *.xlsx)")
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            self.say(f"{self.tr_('文件打不开')}：{exc}", error=True)
            return
        self.bridge.request("POST", "/api/representatives", data, self._imported, quiet=True)

    def _imported(self, reply) -> None:
        if not reply.ok:
            self.refused(reply)
            return
        self.say(f"{self.tr_('代表库已导入')}：{reply.body.get('size')} {self.tr_('人')}")
        self.reload()

    def draw_now(self) -> None:
        if not self.enabled.get("draw_run"):
            return
        body: dict[str, Any] = {"quotas": self.quota_values()}
        if self.seed.text().strip():
            body["seed"] = self.seed.text().strip()
        if self.replace.isChecked():
            body["replace"] = True
        self.bridge.request("POST", "/api/representatives/draw", body, self._drawn, quiet=True)

    def _drawn(self, reply) -> None:
        if not reply.ok:
            self.refused(reply)
            return
        self.replace.setChecked(False)
        self.set_draw(reply.body)
        self.say(self.tr_("抽选完成：请把种子和名单交公证员核对"))

    def choose_cards(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr_("座位卡"), "representatives-seat-cards.pdf", "PDF (*.pdf)")
        if path:
            self.write_cards(path)

    def write_cards(self, path: str | Path) -> None:
        self.bridge.request("POST", "/api/representatives/seats", {}, lambda r: self._cards(r, path), quiet=True)

    def _cards(self, reply, path) -> None:
        if not reply.ok:
            self.refused(reply)
            return
        from ..seat_cards import write_seat_cards_pdf

        seats = reply.body.get("seats", [])
        try:
            write_seat_cards_pdf(seats, path, str(self.scene.get("title") or ""))
        except (OSError, ValueError) as exc:
            self.say(f"{self.tr_('座位卡未保存')}：{exc}", error=True)
            return
        self.say(f"{self.tr_('座位卡已保存')}：{len(seats)} → {path}")
        self.reload()  # the list now carries the seats

    def choose_list(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr_("抽选名单"), "representatives-draw.pdf", "PDF (*.pdf)")
        if path:
            self.write_list(path)

    def write_list(self, path: str | Path) -> None:
        self.bridge.request("GET", "/api/representatives/draw", None, lambda r: self._list(r, path), quiet=True)

    def _list(self, reply, path) -> None:
        if not reply.ok or not (reply.body or {}).get("current"):
            self.refused(reply if not reply.ok else "no_draw: no representatives have been drawn yet")
            return
        from ..draw_pdf import write_draw_list_pdf

        try:
            write_draw_list_pdf(reply.body["current"], path, str(self.scene.get("title") or ""),
                                str(self.scene.get("timezone") or "Asia/Shanghai"))
        except (OSError, ValueError) as exc:
            self.say(f"{self.tr_('名单未保存')}：{exc}", error=True)
            return
        self.say(f"{self.tr_('抽选名单已保存')}：{path}")
