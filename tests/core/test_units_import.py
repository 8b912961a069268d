"""The organisers' list of units from CSV (UTF-8, BOM, GBK) and XLSX: every row checked,
bad rows named by their row number, nothing half-imported."""

import time

import openpyxl
import pytest

from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.units_import import UnitsImportError, read_units, unit_tables, units_from_rows
from wenzheng_studio.paths import scenes_dir

HEADER_ZH = ["序号", "单位名称", "简称", "主要负责人", "职务", "组别"]


def departments() -> list[list[str]]:
    """54 rows shaped like the 三民 report meeting's list (4 groups)."""
    scene = load_scene(scenes_dir() / "sanmin-report.toml")
    assert len(scene.units) == 54
    return [[str(i), u.name, u.name.removeprefix("市")[:6] + str(i), f"负责人{i}", "局长", u.group]
            for i, u in enumerate(scene.units, 1)]


def write_csv(path, rows, encoding="utf-8"):
    text = "\r\n".join(",".join(r) for r in rows) + "\r\n"  # as Excel writes it
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gbk", "gb18030", "xlsx"])
def test_54_departments_import_and_how_long_it_takes(kind, tmp_path, capsys):
    rows = [HEADER_ZH, *departments()]
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "units.xlsx", [HEADER_ZH, *([int(r[0]), *r[1:]] for r in rows[1:])])
    else:
        path = write_csv(tmp_path / "units.csv", rows, kind)
    start = time.perf_counter()
    result = read_units(path)
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n  import 54 units from {kind}: {elapsed * 1000:.1f} ms")
    assert elapsed < 2.0
    assert len(result.units) == 54
    first = result.units[0]
    assert (first.name, first.head, first.title, first.group) == ("市发展和改革委员会", "负责人1", "局长", "经济发展组")
    assert result.ignored_columns == ("序号",)
    assert result.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030",
                               "gb18030": "gb18030", "xlsx": "xlsx"}[kind]
    assert len({u.group for u in result.units}) == 4


def test_english_headers_any_order_and_a_title_line_above(tmp_path):
    path = write_csv(tmp_path / "u.csv", [["2025 年度评议单位名单", "", ""], ["Group", "Name", "Head", "short"],
                                          ["A", "City Water", "Liu", "Water"], ["", "", "", ""],
                                          ["B", "City Transport", "", ""]])
    result = read_units(path)
    assert [(u.name, u.head, u.short, u.group) for u in result.units] == [
        ("City Water", "Liu", "Water", "A"), ("City Transport", "", "", "B")]


@pytest.mark.parametrize("header", [["单位", "负责人", "职务", "分组"], ["单位名称", "负责人", "职务", "组别"]])
def test_chinese_header_variants(header):
    result = units_from_rows([header, ["县公安局", "王五", "局长", "执法监督组"]])
    assert result.units[0].head == "王五" and result.units[0].group == "执法监督组"


def test_bad_rows_are_named_by_row_number_and_nothing_is_imported(tmp_path):
    rows = [HEADER_ZH, *departments()]
    rows[5][1] = ""                      # file row 6: no name
    rows[10][1] = rows[3][1]             # file row 11: same name as row 4
    rows[20] = rows[20] + ["多余"]        # file row 21: one cell more than the header
    path = write_csv(tmp_path / "units.csv", rows, "gbk")
    with pytest.raises(UnitsImportError) as caught:
        read_units(path)
    problems = caught.value.problems
    assert [row for row, _ in problems] == [6, 11, 21]
    assert "缺少单位名称" in problems[0][1]
    assert "与第 4 行重复" in problems[1][1]
    assert "多于表头的 6 列" in problems[2][1] and "多余" in problems[2][1]
    message = str(caught.value)
    assert "未导入任何单位" in message and "第 6 行" in message and "第 21 行" in message


def test_a_bad_row_in_xlsx_has_the_row_number_excel_shows(tmp_path):
    path = write_xlsx(tmp_path / "u.xlsx", [["评议单位"], HEADER_ZH, [1, "县公安局", "公安", "甲", "局长", "一组"],
                                            [2, None, "司法", "乙", "局长", "一组"]])
    with pytest.raises(UnitsImportError) as caught:
        read_units(path)
    assert caught.value.problems == [(4, "缺少单位名称")]


def test_numbers_from_excel_are_text_without_a_decimal_point():
    result = units_from_rows([["单位", "简称"], ["第一中学", 1.0]])
    assert result.units[0].short == "1"


def test_no_name_column_is_refused_and_said_why():
    with pytest.raises(UnitsImportError, match="没有找到单位名称列"):
        units_from_rows([["负责人", "职务"], ["王五", "局长"]])


def test_old_xls_and_not_a_workbook_are_refused_with_advice(tmp_path):
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UnitsImportError, match="另存为 .xlsx"):
        read_units(tmp_path / "a.xls")
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")
    with pytest.raises(UnitsImportError, match="不是可读的 XLSX"):
        read_units(tmp_path / "b.xlsx")


def test_imported_units_are_scene_tables():
    result = units_from_rows([["单位", "简称", "负责人"], ["市水务集团", "水务集团", ""]])
    assert unit_tables(result.units) == [{"name": "市水务集团", "short": "水务集团"}]
