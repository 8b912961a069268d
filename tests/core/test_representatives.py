"""评议代表库: the pool's import (every bad row named, nothing half-imported) and the pinned draw."""

import hashlib
import io
import json
import subprocess
import sys

import pytest

from wenzheng_studio.core.draw import check_quotas, check_seed, draw, draw_record, ticket
from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.representatives import SECTORS, Person, fingerprint, parse_pool


def pool_csv(rows, header="姓名,界别,电话,备注") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def sample_rows(n_per_sector=8, sectors=("人大代表", "政协委员", "市民代表")):
    return [f"代表{s[:2]}{i:02d},{s},1380000{j:02d}{i:02d}," for j, s in enumerate(sectors) for i in range(n_per_sector)]


def refusal(data, **kw) -> str:
    with pytest.raises(DomainError) as err:
        parse_pool(data, **kw)
    assert err.value.code == "bad_import" and err.value.status == 400
    assert err.value.message.endswith("nothing was imported")
    return err.value.message


def test_a_good_pool_is_read_with_chinese_or_english_headers_in_canonical_order():
    pool = parse_pool(pool_csv(["张三,市民代表,138 0000 1111,退休教师", "李四,人大,,", "王五,政协委员,,"]))
    assert [(p.name, p.sector) for p in pool] == sorted([("张三", "市民代表"), ("李四", "人大代表"), ("王五", "政协委员")],
                                                        key=lambda t: (t[1], t[0]))
    assert next(p for p in pool if p.name == "张三").note == "退休教师"
    english = parse_pool(b"\xef\xbb\xbfname,category\nZhang,\xe5\xb8\x82\xe6\xb0\x91\xe4\xbb\xa3\xe8\xa1\xa8\n")
    assert english == (Person("Zhang", "市民代表"),)
    for header in ("姓名,行业", "姓名,类别"):
        assert parse_pool(pool_csv(["甲,企业代表"], header))[0].sector == "企业代表"


@pytest.mark.parametrize("row, says", [
    (",市民代表,,", "row 3: the name is empty"),
    ("赵六,,,", "row 3: the sector (界别) is empty"),
    ("赵六,外星人,,", "row 3: '外星人' is not a sector"),
    ("张三,市民代表,13800001111,", "row 3: 张三 appears twice (first in row 2)"),
    ("赵\x07六,市民代表,,", "row 3: the name contains control characters"),
    ("赵六,市民代表,12,", "row 3: the phone must have 5 to 20 digits"),
])
def test_each_bad_row_is_named_by_its_row_and_nothing_is_imported(row, says):
    message = refusal(pool_csv(["张三,市民代表,138-0000-1111,", row, "钱七,政协委员,,"]))
    assert says in message, message


def test_namesakes_with_different_phones_are_two_people_and_every_problem_is_listed():
    pool = parse_pool(pool_csv(["张三,市民代表,13800001111,", "张三,市民代表,13900002222,"]))
    assert len(pool) == 2
    message = refusal(pool_csv(["张三,市民代表,,", ",市民代表,,", "李四,火星,,", "张三,市民代表,,"]))
    assert "row 3" in message and "row 4" in message and "row 5: 张三 appears twice (first in row 2)" in message


def test_not_utf8_names_its_row_and_a_missing_header_is_refused():
    data = "姓名,界别\n张三,市民代表\n李四,市民代表\n".encode("utf-8") + "王五,市民代表\n".encode("gbk")
    assert "row 4: is not UTF-8" in refusal(data)
    assert "row 1: the header needs 姓名 and 界别" in refusal(pool_csv(["张三,市民代表"], "名单,电话"))
    assert "empty" in refusal(b"") and "no people" in refusal(b"name,sector\n")


def test_xlsx_pool_and_a_lone_surrogate_in_a_cell():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "界别", "手机"])
    sheet.append(["张三", "人大代表", 13800001111])
    sheet.append(["李四", "市民代表", None])
    buf = io.BytesIO()
    book.save(buf)
    pool = parse_pool(buf.getvalue())
    assert {(p.name, p.phone) for p in pool} == {("张三", "13800001111"), ("李四", "")}
    sheet.append(["王\ud800五", "市民代表", None])
    buf = io.BytesIO()
    try:
        book.save(buf)
    except Exception:  # openpyxl refuses to write it: the check still guards the CSV path
        return
    refusal(buf.getvalue())  # the XML cannot even be read back: refused whole, nothing imported
    # In a CSV a lone surrogate is the bytes ED A0 80: not UTF-8, named by its row.
    assert "row 3: is not UTF-8" in refusal("姓名,界别\n张三,市民代表\n".encode() + b"\xed\xa0\x80,\xe5\xb8\x82\n")


def test_quotas_larger_than_the_sector_unknown_or_not_whole_are_refused_with_every_problem():
    pool = parse_pool(pool_csv(sample_rows(5)))
    with pytest.raises(DomainError) as err:
        check_quotas({"人大代表": 6, "媒体代表": 1, "市民代表": 0, "政协委员": 2}, pool)
    m = err.value.message
    assert err.value.code == "bad_quota" and "人大代表: the quota is 6 but the pool has only 5" in m
    assert "媒体代表: the pool has no one of this sector" in m and "市民代表: the quota must be a whole number" in m
    assert check_quotas({"市民代表": 5, "人大代表": 1}, pool) == {"人大代表": 1, "市民代表": 5}
    for bad in (None, {}, [], "人大代表"):
        with pytest.raises(DomainError):
            check_quotas(bad, pool)
    for seed in ("", " ", "x" * 65, 12, "a\nb"):
        with pytest.raises(DomainError):
            check_seed(seed)


def test_the_draw_follows_the_documented_algorithm_exactly():
    pool = parse_pool(pool_csv(sample_rows(8)))
    quotas, seed = {"市民代表": 3, "人大代表": 2}, "20261201-公证"
    drawn = draw(pool, quotas, seed)
    # Recomputed here from the written rule, not from the module's helpers.
    expected = []
    for sector in sorted(quotas):
        people = [p for p in pool if p.sector == sector]
        tickets = sorted((hashlib.sha256(f"{seed}\n{p.sector}\n{p.name}\n{''.join(c for c in p.phone if c.isdigit())}"
                                         .encode()).hexdigest(), p.name) for p in people)
        expected += [(sector, name) for _, name in tickets[:quotas[sector]]]
    assert [(d["sector"], d["name"]) for d in drawn] == expected
    assert all(d["ticket"] == ticket(seed, Person(d["name"], d["sector"], d["phone"])) for d in drawn)
    # The file's row order does not matter; another seed draws other people.
    shuffled = parse_pool(pool_csv(list(reversed(sample_rows(8)))))
    assert draw(shuffled, quotas, seed) == drawn and fingerprint(shuffled) == fingerprint(pool)
    assert draw(pool, quotas, "another seed") != drawn


def test_the_draw_is_byte_identical_in_another_process():
    pool = parse_pool(pool_csv(sample_rows(12)))
    record = draw_record(1, pool, {"imported_at": 1.0}, {"人大代表": 4, "政协委员": 4, "市民代表": 7}, "8848", "given",
                         2.0, None, None)
    script = ("import json,sys\nfrom wenzheng_studio.core.representatives import parse_pool\n"
              "from wenzheng_studio.core.draw import draw_record\n"
              "pool = parse_pool(sys.stdin.buffer.read())\n"
              "r = draw_record(1, pool, {'imported_at': 1.0}, {'市民代表': 7, '政协委员': 4, '人大代表': 4}, '8848',"
              " 'given', 2.0, None, None)\n"
              "sys.stdout.write(json.dumps(r, ensure_ascii=False, sort_keys=True))\n")
    out = subprocess.run([sys.executable, "-c", script], input=pool_csv(sample_rows(12)), capture_output=True,
                         check=True, env={"PYTHONHASHSEED": "12345", "PATH": ""}, cwd=None)
    assert out.stdout.decode() == json.dumps(record, ensure_ascii=False, sort_keys=True)


def test_every_sector_has_a_name_people_read():
    assert len(set(SECTORS)) == len(SECTORS) and all(s for s in SECTORS)


def test_the_check_in_the_operating_manual_reproduces_the_draw(tmp_path, monkeypatch, capsys):
    """docs/OPERATING.md's few lines of Python, run as printed, name the same people."""
    from pathlib import Path

    manual = (Path(__file__).resolve().parents[2] / "docs" / "OPERATING.md").read_text(encoding="utf-8")
    after = manual.split("**How anyone checks a draw**", 1)[1]
    code = after.split("```python\n", 1)[1].split("```", 1)[0]
    rows = [f"代表{i:02d},{s if i % 3 else alias},１３９-{j:04d}-{i:04d}"  # a third written by alias
            for j, (s, alias) in enumerate((("人大代表", "人大"), ("市民代表", "群众代表"), ("企业代表", "企业")))
            for i in range(30)]
    data = pool_csv(rows, "姓名,界别,手机")
    (tmp_path / "代表库.csv").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "OPERATING.md", "exec"), scope)
    from wenzheng_studio.core.representatives import SECTOR_ALIASES
    assert scope["ALIASES"] == SECTOR_ALIASES  # the manual's table is the engine's
    printed = capsys.readouterr().out.splitlines()
    pool = parse_pool(data)
    drawn = draw(pool, {"人大代表": 5, "市民代表": 20}, "8848")
    expected = [f"{s} {[d['name'] for d in drawn if d['sector'] == s]}" for s in sorted({"人大代表", "市民代表"})]
    assert printed == expected


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CELLS = st.one_of(st.sampled_from(["张三", "", "人大代表", "市民", "火星", "13800001111", "\x00", '"', ",", "\n"]),
                  st.text(max_size=8))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.one_of(st.binary(max_size=300),
                     st.lists(st.lists(CELLS, max_size=5), max_size=8).map(
                         lambda rows: "\n".join(["姓名,界别,手机", *(",".join(r) for r in rows)]).encode("utf-8", "surrogatepass"))))
def test_any_file_is_either_a_whole_pool_or_a_bad_import(raw):
    try:
        pool = parse_pool(raw)
    except DomainError as exc:
        assert exc.code == "bad_import" and exc.status == 400 and exc.message.endswith("nothing was imported")
        return
    assert pool and all(p.name and p.sector in SECTORS for p in pool)
    assert len({p.identity for p in pool}) == len(pool)
    for p in pool:
        json.dumps(p.to_dict(), ensure_ascii=False).encode("utf-8")  # the store can keep every cell
