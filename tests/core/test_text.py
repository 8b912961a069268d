"""Text that people type: control characters are refused wherever it enters."""

from __future__ import annotations

import pytest

from wenzheng_studio.core.errors import DomainError


@pytest.mark.parametrize("text", ["请看\u202e镜头abc", "\u2067王建国\u2069", "市\u202a住建局", "\u202d123"])
def test_text_direction_controls_are_refused_in_every_text_a_person_types(text):
    """A right-to-left override reverses what follows on air and in the reviewer's list alike."""
    from wenzheng_studio.core.polls import Poll
    from wenzheng_studio.core.questions import clean_text
    from wenzheng_studio.core.representatives import parse_pool

    with pytest.raises(DomainError):
        clean_text(text, "text", 200)  # questions, names, timer labels, messages
    with pytest.raises(DomainError):
        Poll.create(1, {"title": text, "kind": "yesno"}, 0.0, ["main"])
    with pytest.raises(DomainError) as refused:
        parse_pool(f"姓名,界别\n{text},市民代表\n".encode())
    assert "row 2" in refused.value.message
    assert clean_text("请看镜头 abc", "text", 200) == "请看镜头 abc"  # ordinary text still passes
