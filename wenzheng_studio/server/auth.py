"""Credentials: the operator's admin token, signed voter tokens and seat keys."""

from __future__ import annotations

import hmac
import os
import secrets
import uuid
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

VOTER_TOKEN_MAX_AGE_S = 7 * 24 * 3600


def load_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """A secret kept in a file beside the database, created once with owner-only access."""
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(nbytes)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value


def new_operator_token() -> str:
    """A crew member's credential (kept by the engine only as a hash)."""
    return "op_" + secrets.token_urlsafe(32)


def same_secret(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class VoterTokens:
    """One signed token per device. The voter id inside cannot be forged or altered."""

    def __init__(self, secret: str, max_age_s: int = VOTER_TOKEN_MAX_AGE_S):
        self._s = URLSafeTimedSerializer(secret, salt="wenzheng-voter")
        self.max_age_s = max_age_s

    def issue(self) -> str:
        return self._s.dumps(uuid.uuid4().hex)

    def voter(self, token: object) -> str | None:
        if not isinstance(token, str) or len(token) > 200:
            return None
        try:
            value = self._s.loads(token, max_age=self.max_age_s)
        except BadSignature:  # also SignatureExpired
            return None
        return f"t:{value}" if isinstance(value, str) else None


def new_seat_key() -> str:
    return secrets.token_urlsafe(9)
