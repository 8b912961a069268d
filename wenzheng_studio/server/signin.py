"""One-time sign-in codes: how a crew member's PC gets that person's token.

The director issues a code (shown as a QR code and a link); the console on the operator's
PC exchanges it once for a token of its own. The code is short-lived and single-use, so a
link left in a browser's history or on a photo of the screen signs no one in later; the
token itself never travels in a URL. Codes live in memory: an engine restart voids them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

CODE_TTL_S = 600.0
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed from a screen
MAX_CODES = 200


@dataclass
class _Code:
    operator: int
    expires_at: float


def normalise(code: object) -> str | None:
    """'k7q2 m9xd', 'K7Q2-M9XD' → 'K7Q2M9XD'; None for anything that is not a code."""
    if not isinstance(code, str) or len(code) > 32:
        return None
    text = "".join(c for c in code.upper() if c not in "- ")
    return text if len(text) == 8 and all(c in ALPHABET for c in text) else None


class SignInCodes:
    def __init__(self) -> None:
        self._codes: dict[str, _Code] = {}

    def issue(self, operator: int, now: float) -> tuple[str, float]:
        """A new code for `operator` (its earlier unused codes stay valid until they expire)."""
        self._forget_expired(now)
        if len(self._codes) >= MAX_CODES:
            oldest = min(self._codes, key=lambda c: self._codes[c].expires_at)
            del self._codes[oldest]
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        self._codes[code] = _Code(operator, now + CODE_TTL_S)
        return f"{code[:4]}-{code[4:]}", now + CODE_TTL_S

    def redeem(self, code: object, now: float) -> int | None:
        """The operator the code was issued for, once; None for a bad, used or expired code."""
        key = normalise(code)
        entry = self._codes.pop(key, None) if key else None
        if entry is None or entry.expires_at <= now:
            return None
        return entry.operator

    def forget_operator(self, operator: int) -> None:
        self._codes = {c: e for c, e in self._codes.items() if e.operator != operator}

    def _forget_expired(self, now: float) -> None:
        self._codes = {c: e for c, e in self._codes.items() if e.expires_at > now}
