"""The control room's English table (--lang en)."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

from wenzheng_studio.ui.control_room import i18n


def test_the_english_table_names_each_chinese_text_once():
    """A key written twice in the EN dict literal silently loses its first translation."""
    tree = ast.parse(Path(i18n.__file__).read_text(encoding="utf-8"))
    table = next(n.value for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "EN")
    counts = collections.Counter(k.value for k in table.keys)
    assert [k for k, n in counts.items() if n > 1] == []
