"""The list of units from the organisers' spreadsheet: CSV or XLSX.

Headers are read as organisers write them — 单位 / 单位名称, 简称, 负责人 / 主要负责人, 职务,
分组 / 组别 — or in English (name, short, head, title, group). A title line above the
header row (e.g. "2024 年度评议单位名单") is skipped; 序号 and other unknown columns are
ignored. CSV may be UTF-8 (with or without BOM) or GBK / GB18030, as Chinese office software
exports it.

Every row is checked before anything is returned: a missing name, a name (or short name)
given twice, a row with more cells than the header has columns, a cell too long. All
problems are reported together, each with its spreadsheet row number (the header row is
the row it is in the file, so the numbers match what Excel / WPS shows); on any problem
nothing is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .scene import Unit

FIELDS = ("name", "short", "head", "title", "group")
FIELD_LABELS = {"name": "单位", "short": "简称", "head": "负责人", "title": "职务", "group": "分组"}
HEADERS = {
    "name": ("单位", "单位名称", "单位全称", "部门", "部门名称", "被评议单位", "name", "unit", "unitname"),
    "short": ("简称", "单位简称", "short", "shortname", "abbr", "abbreviation"),
    "head": ("负责人", "主要负责人", "单位负责人", "负责人姓名", "姓名", "head", "leader"),
    "title": ("职务", "职位", "title", "position"),
    "group": ("分组", "组别", "组", "所属组", "group", "category"),
}
_HEADER_TO_FIELD = {h: f for f, names in HEADERS.items() for h in names}
MAX_ROWS = 2000
MAX_CELL = 100
HEADER_SEARCH_ROWS = 10


class UnitsImportError(ValueError):
    """One or more problems, each (row number or None, message); nothing was imported."""

    def __init__(self, source: str, problems: list[tuple[int | None, str]]):
        self.source, self.problems = source, problems
        lines = [f"第 {row} 行：{msg}" if row else msg for row, msg in problems]
        shown = lines[:20] + ([f"……还有 {len(lines) - 20} 处"] if len(lines) > 20 else [])
        super().__init__(f"{source}：未导入任何单位。\n" + "\n".join(shown))


@dataclass(frozen=True)
class ImportResult:
    units: tuple[Unit, ...]
    encoding: str  # "utf-8", "utf-8-sig", "gb18030" or "xlsx"
    columns: dict[str, str]  # field → the header as written in the file
    ignored_columns: tuple[str, ...]


def _norm_header(value: Any) -> str:
    text = _cell(value)
    for ch in " \u3000_-:：()（）*":
        text = text.replace(ch, "")
    return text.lower()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed in Excel comes back as 3.0
    return str(value).replace("\ufeff", "").replace("\u3000", " ").strip()


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not) first, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnicodeDecodeError(exc.encoding, exc.object, exc.start, exc.end,
                                 "neither UTF-8 nor GBK/GB18030") from None


def _csv_rows(text: str) -> list[list[Any]]:
    """Comma-separated as Excel / WPS write it; a tab-, semicolon- or full-width-comma-
    separated file is recognised by which of them its first lines use most."""
    head = "\n".join(text.splitlines()[:5])
    delimiter = max((",", "\t", ";", "，"), key=head.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter if head.count(delimiter) else ","))


def _xlsx_rows(path: Path) -> list[list[Any]]:
    import openpyxl  # only when a spreadsheet is imported

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
        return rows
    finally:
        book.close()


def read_units(path: str | Path) -> ImportResult:
    """Reads a .csv / .txt / .xlsx file (the type from its name; .xls is refused with advice)."""
    path = Path(path)
    suffix = path.suffix.lower()
    source = path.name
    if suffix in (".xlsx", ".xlsm"):
        try:
            rows = _xlsx_rows(path)
        except FileNotFoundError:
            raise UnitsImportError(source, [(None, "文件不存在")]) from None
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise UnitsImportError(source, [(None, f"不是可读的 XLSX 文件（{type(exc).__name__}: {exc}）")]) from None
        return units_from_rows(rows, source, "xlsx")
    if suffix == ".xls":
        raise UnitsImportError(source, [(None, "不支持旧版 .xls：请在 Excel / WPS 中另存为 .xlsx 或 CSV")])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnitsImportError(source, [(None, "文件不存在")]) from None
    try:
        text, encoding = decode_csv(data)
    except UnicodeDecodeError:
        raise UnitsImportError(source, [(None, "无法识别文字编码（应为 UTF-8 或 GBK/GB18030）")]) from None
    return units_from_rows(_csv_rows(text), source, encoding)


def units_from_rows(rows: Iterable[list[Any]], source: str = "<表格>", encoding: str = "") -> ImportResult:
    rows = [list(r) for r in rows]
    header_at = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(_HEADER_TO_FIELD.get(_norm_header(c)) == "name" for c in row):
            header_at = i
            break
    if header_at is None:
        known = "、".join(HEADERS["name"][:2]) + " 或 name"
        raise UnitsImportError(source, [(None, f"前 {HEADER_SEARCH_ROWS} 行中没有找到单位名称列（表头应为 {known}）")])

    header = rows[header_at]
    while header and _cell(header[-1]) == "":
        header = header[:-1]
    columns: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored = []
    problems: list[tuple[int | None, str]] = []
    for col, raw in enumerate(header):
        field = _HEADER_TO_FIELD.get(_norm_header(raw))
        if field is None:
            if _cell(raw):
                ignored.append(_cell(raw))
            continue
        if field in columns:
            problems.append((header_at + 1, f"表头有两列都是{FIELD_LABELS[field]}（“{written[field]}”和“{_cell(raw)}”）"))
            continue
        columns[field], written[field] = col, _cell(raw)

    units: list[Unit] = []
    seen_name: dict[str, int] = {}
    seen_short: dict[str, int] = {}
    data_rows = rows[header_at + 1:]
    if len(data_rows) > MAX_ROWS:
        problems.append((None, f"行数超过 {MAX_ROWS}"))
        data_rows = data_rows[:MAX_ROWS]
    for offset, row in enumerate(data_rows):
        number = header_at + 2 + offset
        cells = [_cell(c) for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            continue  # blank line
        if len(cells) > len(header):
            problems.append((number, f"有 {len(cells)} 个单元格，多于表头的 {len(header)} 列（多出：“{cells[len(header)]}”）"))
            continue
        values = {f: (cells[c] if c < len(cells) else "") for f, c in columns.items()}
        bad = [f for f, v in values.items() if len(v) > MAX_CELL or any(ord(ch) < 32 for ch in v)]
        if bad:
            problems.append((number, f"{FIELD_LABELS[bad[0]]}超过 {MAX_CELL} 个字或含控制字符"))
            continue
        name = values.get("name", "")
        if not name:
            problems.append((number, "缺少单位名称"))
            continue
        if name in seen_name:
            problems.append((number, f"单位“{name}”与第 {seen_name[name]} 行重复"))
            continue
        seen_name[name] = number
        short = values.get("short", "")
        if short:
            if short in seen_short:
                problems.append((number, f"简称“{short}”与第 {seen_short[short]} 行重复"))
                continue
            seen_short[short] = number
        units.append(Unit(name=name, head=values.get("head", ""), title=values.get("title", ""),
                          short=short, group=values.get("group", "")))
    if not units and not problems:
        problems.append((None, "表头下面没有任何单位"))
    if problems:
        raise UnitsImportError(source, problems)
    return ImportResult(tuple(units), encoding, written, tuple(ignored))


def unit_tables(units: Iterable[Unit]) -> list[dict[str, str]]:
    """The scene file's [[units]] tables (empty fields left out)."""
    out = []
    for u in units:
        out.append({k: v for k, v in (("name", u.name), ("short", u.short), ("head", u.head),
                                      ("title", u.title), ("group", u.group)) if v or k == "name"})
    return out
