"""群众满意单位评议 (seed 004): the year's composite of each unit and its rank in its group.

composite = 群众满意度测评 survey × 40% + "政风建设年" review × 20% + 听证评议 hearing × 20%
            + 工作考核 assessment × 20%, each part on a 100-point scale ("分别按比例换算后生成
            总成绩"): the hearing score (听证评议分数, 5–20 points a representative) counts as
            hearing × 5, so a hearing of all 好 weighs as much as a perfect survey;
units are ranked by composite within their group (the scene's units' `group`), and the top
40% of each group (rounded to the nearest whole unit, half up) are 群众满意单位 (satisfactory).
Units tied on the boundary are satisfactory together.

The hearing part comes from the show (each unit's rating4 poll); the other three are imported
(POST /api/scores) as CSV — `unit,survey,review,assessment` or 单位,满意度测评,政风建设年,工作考核 —
or XLSX when openpyxl is installed. An import is checked whole: one bad row refuses all of it.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any, Mapping, Sequence

from .errors import DomainError

PARTS = ("survey", "review", "assessment")
WEIGHTS = {"survey": 0.4, "review": 0.2, "hearing": 0.2, "assessment": 0.2}
HEARING_TO_100 = 100 / 20  # the hearing score's top (好, 20) is 100 points of the composite
SATISFACTORY_SHARE = 0.4
HEADERS = {
    "unit": "unit", "单位": "unit", "单位名称": "unit", "参评单位": "unit",
    "survey": "survey", "满意度测评": "survey", "群众满意度测评": "survey",
    "review": "review", "政风建设年": "review", "政风建设年评议": "review",
    "assessment": "assessment", "工作考核": "assessment",
}
MAX_ROWS = 2000
MAX_SCORE = 100.0  # each part on a 100-point scale, as the composite weighs them


def bad_import(message: str) -> DomainError:
    return DomainError("bad_import", message + "; nothing was imported", 400)


def satisfactory_count(n: int) -> int:
    """40% of n, to the nearest whole unit (2.5 → 3: half rounds up, not to even)."""
    return int(math.floor(n * SATISFACTORY_SHARE + 0.5))


def _rows_from_xlsx(data: bytes) -> list[list[Any]]:
    try:
        import openpyxl  # optional
    except ImportError:
        raise bad_import("XLSX needs openpyxl, which is not installed here: save the sheet as CSV (UTF-8)") from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise bad_import(f"the XLSX file cannot be read ({type(exc).__name__})") from None


def _rows_from_csv(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK unless told UTF-8
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise bad_import("the file is neither UTF-8 nor GBK text")
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise bad_import(f"the CSV cannot be read ({exc})") from None


def _number(value: Any, row: int, column: str) -> float:
    if isinstance(value, bool):
        raise bad_import(f"row {row}: {column} must be a number, not {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        if not text:
            raise bad_import(f"row {row}: {column} is empty")
        try:
            number = float(text)
        except ValueError:
            raise bad_import(f"row {row}: {column} must be a number, not {text[:40]!r}") from None
    if not math.isfinite(number) or not 0 <= number <= MAX_SCORE:
        raise bad_import(f"row {row}: {column} must be from 0 to {MAX_SCORE:g}, not {value!r}")
    return number


def parse_scores(data: bytes, units: Sequence[Mapping[str, Any]], *, xlsx: bool = False) -> dict[str, dict[str, float]]:
    """unit name → {survey, review, assessment}; raises DomainError(bad_import) naming the row.

    Row numbers are the file's lines (the header is row 1). A unit may be named by its name or
    its short name; it must be one of the scene's units, and appear once.
    """
    rows = _rows_from_xlsx(data) if xlsx or data[:2] == b"PK" else _rows_from_csv(data)
    rows = [r for r in rows if any(str(c).strip() for c in r)] if rows else []
    if not rows:
        raise bad_import("the file is empty")
    header = [HEADERS.get(str(c).strip().lower() if str(c).strip().isascii() else str(c).strip()) for c in rows[0]]
    missing = [c for c in ("unit", *PARTS) if c not in header]
    if missing:
        raise bad_import(f"row 1: the header needs unit,survey,review,assessment (or 单位,满意度测评,政风建设年,工作考核); "
                         f"missing {', '.join(missing)}")
    if len(rows) - 1 > MAX_ROWS:
        raise bad_import(f"at most {MAX_ROWS} rows")
    names = {}
    for u in units:
        names[u["name"]] = u["name"]
        if u.get("short"):
            names.setdefault(u["short"], u["name"])
    col = {name: header.index(name) for name in ("unit", *PARTS)}
    out: dict[str, dict[str, float]] = {}
    for n, row in enumerate(rows[1:], 2):
        cells = list(row) + [""] * (len(header) - len(row))
        given = str(cells[col["unit"]]).strip()
        if not given:
            raise bad_import(f"row {n}: the unit is empty")
        unit = names.get(given)
        if unit is None:
            raise bad_import(f"row {n}: {given[:60]!r} is not a unit of this show")
        if unit in out:
            raise bad_import(f"row {n}: {unit} appears twice")
        out[unit] = {part: _number(cells[col[part]], n, part) for part in PARTS}
    if not out:
        raise bad_import("the file has a header but no rows")
    return out


def composite(parts: Mapping[str, float | None]) -> float | None:
    """The weighted total on a 100-point scale; `hearing` is the hearing score as the seed
    defines it (5–20), converted here."""
    if any(parts.get(k) is None for k in WEIGHTS):
        return None
    scaled = {**parts, "hearing": parts["hearing"] * HEARING_TO_100}
    return round(sum(scaled[k] * w for k, w in WEIGHTS.items()), 2)


def rank(units: Sequence[Mapping[str, Any]], imported: Mapping[str, Mapping[str, float]],
         hearing: Mapping[str, float]) -> dict[str, Any]:
    """{"groups": [{"group", "units": [{unit, survey, review, hearing, assessment, composite,
    rank, satisfactory}]}]}: groups in the scene's order, units by composite (a unit missing a
    part has no composite and no rank, and is listed last)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for u in units:
        name = u["name"]
        parts = dict(imported.get(name, {}))
        h = hearing.get(name, hearing.get(u.get("short") or "\0"))
        row = {"unit": name, "survey": parts.get("survey"), "review": parts.get("review"), "hearing": h,
               "assessment": parts.get("assessment")}
        row["composite"] = composite(row)
        row["rank"], row["satisfactory"] = None, False
        groups.setdefault(u.get("group") or "", []).append(row)
    out = []
    for group, rows in groups.items():
        scored = sorted((r for r in rows if r["composite"] is not None), key=lambda r: -r["composite"])
        quota = satisfactory_count(len(scored))
        for i, r in enumerate(scored):  # 1, 2, 2, 4: a tie shares its rank
            r["rank"] = i + 1 if i == 0 or r["composite"] != scored[i - 1]["composite"] else scored[i - 1]["rank"]
            r["satisfactory"] = r["rank"] <= quota
        out.append({"group": group, "units": scored + [r for r in rows if r["composite"] is None]})
    return {"groups": out}
