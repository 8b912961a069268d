"""评议代表库 (seed 004): the pool of representatives the hearing's audience is drawn from.

The accountability office keeps the pool as a spreadsheet: one person a row, with a name and
a sector (界别: 人大代表, 政协委员, 市民代表, ...), optionally a phone number and a note. The
import reads CSV (UTF-8, with or without BOM) or XLSX (openpyxl), checks every row, and
either returns the whole pool or refuses the file naming each bad row by its spreadsheet row
number (the header is row 1): an empty name, an empty or unknown sector, the same person
twice, text that is not UTF-8, control characters or lone surrogates. Nothing is half
imported. CSV must be UTF-8 here (unlike the units list, GBK is not guessed): the pool's
names are what the notary's list prints, and a wrongly guessed encoding would change them.

The same person = the same name and the same phone digits (both without a phone counts too):
two namesakes are told apart by their phone numbers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .errors import DomainError
from .text import control_characters, unencodable

# The sectors (界别) of a hearing's representatives, as the office's quota table names them.
# A pool row names one of these (or an alias below); anything else is refused by row.
SECTORS = ("人大代表", "政协委员", "党代表", "特邀监督员", "企业代表", "专家学者", "媒体代表",
           "服务对象代表", "基层代表", "市民代表")
SECTOR_ALIASES = {
    "人大": "人大代表", "政协": "政协委员", "政协委员代表": "政协委员", "党代会代表": "党代表",
    "监督员": "特邀监督员", "行风监督员": "特邀监督员", "政风行风监督员": "特邀监督员", "党风政风监督员": "特邀监督员",
    "企业": "企业代表", "企业界": "企业代表", "专家": "专家学者", "学者": "专家学者", "媒体": "媒体代表",
    "新闻媒体": "媒体代表", "服务对象": "服务对象代表", "基层": "基层代表", "市民": "市民代表", "群众代表": "市民代表",
}
HEADERS = {
    "name": ("姓名", "代表姓名", "名字", "name"),
    "sector": ("界别", "行业", "类别", "代表类别", "所属界别", "sector", "category"),
    "phone": ("电话", "手机", "手机号", "联系电话", "phone", "mobile"),
    "note": ("备注", "工作单位", "单位", "说明", "note", "notes", "remark"),
}
_HEADER_TO_FIELD = {h: f for f, names in HEADERS.items() for h in names}
MAX_PEOPLE = 5000
MAX_NAME = 40
MAX_NOTE = 200
MAX_PHONE = 30
MAX_SHOWN_PROBLEMS = 20
XLSX_MAGIC = b"PK"


def phone_digits(phone: str) -> str:
    """The ASCII digits of a phone number (imported phones are NFKC-normalised, so full-width
    digits are ASCII by then): what tells namesakes apart and goes into a ticket."""
    return re.sub(r"[^0-9]", "", phone)


@dataclass(frozen=True)
class Person:
    name: str
    sector: str
    phone: str = ""
    note: str = ""

    @property
    def identity(self) -> tuple[str, str]:
        return self.name, phone_digits(self.phone)

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "sector": self.sector, "phone": self.phone, "note": self.note}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Person":
        return cls(str(data["name"]), str(data["sector"]), str(data.get("phone") or ""), str(data.get("note") or ""))


def canonical(people: list[Person]) -> tuple[Person, ...]:
    """The pool in its canonical order: by sector, name, phone digits (code point order)."""
    return tuple(sorted(people, key=lambda p: (p.sector, p.name, phone_digits(p.phone), p.note)))


def fingerprint(people: list[Person] | tuple[Person, ...]) -> str:
    """SHA-256 of the canonical pool: one line `sector<TAB>name<TAB>phone digits` a person, in
    canonical order, joined by newlines, UTF-8. The notary's list prints it, so anyone can
    check the draw was made from the pool file they hold."""
    lines = [f"{p.sector}\t{p.name}\t{phone_digits(p.phone)}" for p in canonical(list(people))]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def sector_of(text: str) -> str | None:
    text = text.strip()
    return text if text in SECTORS else SECTOR_ALIASES.get(text)


def bad_pool(problems: list[tuple[int | None, str]]) -> DomainError:
    shown = [f"row {row}: {msg}" if row else msg for row, msg in problems[:MAX_SHOWN_PROBLEMS]]
    if len(problems) > MAX_SHOWN_PROBLEMS:
        shown.append(f"… and {len(problems) - MAX_SHOWN_PROBLEMS} more")
    return DomainError("bad_import", "; ".join(shown) + "; nothing was imported", 400)


def _rows_from_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    try:
        import openpyxl
    except ImportError:
        raise bad_pool([(None, "XLSX needs openpyxl, which is not installed here: save the sheet as CSV UTF-8")]) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        return [(n, ["" if v is None else v for v in row])
                for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    except Exception as exc:
        raise bad_pool([(None, f"the XLSX file cannot be read ({type(exc).__name__})")]) from None


def _rows_from_csv(data: bytes) -> list[tuple[int, list[Any]]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[:exc.start].count(b"\n") + 1  # the line the first bad byte is on
        raise bad_pool([(row, "is not UTF-8 text (a GBK file?): save the sheet as CSV UTF-8 "
                              "(Excel: 另存为 → CSV UTF-8)")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))  # the line it ends on: Excel's row for one-line rows
    except csv.Error as exc:
        raise bad_pool([(reader.line_num, f"the CSV cannot be read ({exc})")]) from None
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into Excel comes back as 13800001111.0
    return str(value).strip()


def _plain(text: str, what: str, limit: int) -> str | None:
    """What is wrong with a cell's text, or None."""
    if unencodable(text):
        return f"the {what} contains text that is not valid Unicode (a lone surrogate)"
    if problem := control_characters(text):
        return f"the {what} {problem}"
    if len(text) > limit:
        return f"the {what} is longer than {limit} characters"
    return None


def parse_pool(data: bytes, *, xlsx: bool = False) -> tuple[Person, ...]:
    """The pool in canonical order; raises DomainError(bad_import) naming every bad row."""
    if not isinstance(data, (bytes, bytearray)) or not data.strip():
        raise bad_pool([(None, "the file is empty")])
    rows = _rows_from_xlsx(bytes(data)) if xlsx or data[:2] == XLSX_MAGIC else _rows_from_csv(bytes(data))
    rows = [(n, cells) for n, cells in rows if any(_cell(c) for c in cells)]
    if not rows:
        raise bad_pool([(None, "the file is empty")])
    header_row, header = rows[0]
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        text = _cell(cell)
        field_ = _HEADER_TO_FIELD.get(text.lower() if text.isascii() else text)
        if field_ and field_ not in columns:
            columns[field_] = i
    missing = [f for f in ("name", "sector") if f not in columns]
    if missing:
        raise bad_pool([(header_row, "the header needs 姓名 and 界别 (or name, sector; 行业 / 类别 also name the "
                                     f"sector); missing {', '.join(missing)}")])
    if len(rows) - 1 > MAX_PEOPLE:
        raise bad_pool([(None, f"at most {MAX_PEOPLE} people in the pool, not {len(rows) - 1}")])
    problems: list[tuple[int | None, str]] = []
    people: list[Person] = []
    seen: dict[tuple[str, str], int] = {}
    for n, cells in rows[1:]:
        cells = list(cells) + [""] * (len(header) - len(cells))
        values = {f: _cell(cells[i]) for f, i in columns.items()}
        name, sector_text = values["name"], values["sector"]
        phone = unicodedata.normalize("NFKC", values.get("phone", ""))  # １３８… typed in full width
        note = values.get("note", "")
        row_problems = [msg for msg in (_plain(name, "name", MAX_NAME), _plain(sector_text, "sector", MAX_NAME),
                                        _plain(phone, "phone", MAX_PHONE), _plain(note, "note", MAX_NOTE)) if msg]
        if not name:
            row_problems.append("the name is empty")
        sector = sector_of(sector_text) if not row_problems else None
        if not sector_text:
            row_problems.append("the sector (界别) is empty")
        elif sector is None and not row_problems:
            row_problems.append(f"{sector_text[:40]!r} is not a sector (the sectors are {'、'.join(SECTORS)})")
        if phone and not 5 <= len(phone_digits(phone)) <= 20:
            row_problems.append("the phone must have 5 to 20 digits")
        if row_problems:
            problems += [(n, msg) for msg in row_problems]
            continue
        person = Person(name, sector, phone, note)
        if person.identity in seen:
            problems.append((n, f"{name} appears twice (first in row {seen[person.identity]}): "
                                "namesakes need their phone numbers to tell them apart"))
            continue
        seen[person.identity] = n
        people.append(person)
    if problems:
        raise bad_pool(problems)
    if not people:
        raise bad_pool([(None, "the file has a header but no people")])
    return canonical(people)


def by_sector(people: tuple[Person, ...] | list[Person]) -> dict[str, int]:
    """Sector → how many people the pool has, in sector order."""
    counts: dict[str, int] = {}
    for p in sorted(people, key=lambda p: p.sector):
        counts[p.sector] = counts.get(p.sector, 0) + 1
    return counts
