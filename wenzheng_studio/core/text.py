"""Text that enters the engine must be text the store can keep.

JSON allows "\\ud800" (a lone surrogate): Python decodes it into a str that no UTF-8
encoder accepts, so it would fail only later, deep in the store's writer. Every body is
checked once at the door (HTTP, Socket.IO, forwarded cluster requests) — keys and values,
at any depth — and the text validators check again, so no path can carry one inward.
"""

from __future__ import annotations

from typing import Any

from .errors import invalid


# Bidirectional embeddings, overrides and isolates: one of them turns "请看镜头abc" into
# "请看cba头镜" on air or on a screen, while the reviewer's list shows the same reversal.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_characters(text: str, newline_ok: bool = False) -> str | None:
    """What is wrong with `text` ("contains …", to follow the field's name), or None. C0 and C1
    controls, DEL, line/paragraph separators, BOM and text-direction controls: nothing a person
    types into a question, a name or a label."""
    if any(c in BIDI_CONTROLS for c in text):
        return "contains a text-direction control character (U+202A–202E, U+2066–2069)"
    if any((ord(c) < 32 and not (newline_ok and c == "\n")) or 0x7F <= ord(c) < 0xA0
           or c in "\u2028\u2029\ufeff" for c in text):
        return "contains control characters"
    return None


def unencodable(text: str) -> bool:
    """True when `text` cannot be written as UTF-8 (lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_unencodable(value: Any, where: str = "body") -> None:
    """Raises DomainError `invalid` if any string in `value` (keys too) is not valid Unicode."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:  # iterative: a deeply nested body must not exhaust the stack
        item, path = stack.pop()
        if isinstance(item, str):
            if unencodable(item):
                raise invalid(f"{path} contains text that is not valid Unicode (a lone surrogate)")
        elif isinstance(item, dict):
            for key, sub in item.items():
                if isinstance(key, str) and unencodable(key):
                    raise invalid(f"{path} has a field name that is not valid Unicode (a lone surrogate)")
                stack.append((sub, f"{path}.{key}"))
        elif isinstance(item, (list, tuple)):
            stack.extend((sub, f"{path}[{i}]") for i, sub in enumerate(item))
