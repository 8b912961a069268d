"""随机抽选 (seed 004): the hearing's representatives drawn from the pool by sector quota.

The algorithm is pinned so that anyone holding the pool file, the quotas and the seed can
reproduce the draw by hand, in any language, without this program (docs/OPERATING.md):

    ticket(person) = SHA-256 of the UTF-8 text  seed "\\n" sector "\\n" name "\\n" phone digits (0-9)
                     (lower-case hex)
    for each sector of the quotas, in code point order of the sector's name:
        sort that sector's people by (ticket, name, phone digits); the first `quota` are drawn

A person's ticket depends only on the seed and that person, never on the order of the file
or on who else is in it, and SHA-256 does not change between Python versions (the Mersenne
Twister behind random.sample is not promised to). The seed is fixed before the draw: given
by the notary, or generated here and shown; a seed chosen after seeing the tickets would be
a rigged draw, which is why it is printed on the list the notary signs.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

from .errors import DomainError, invalid
from .representatives import Person, by_sector, fingerprint, phone_digits
from .text import unencodable

MAX_SEED = 64
MAX_DRAWN = 2000


def ticket(seed: str, person: Person) -> str:
    text = f"{seed}\n{person.sector}\n{person.name}\n{phone_digits(person.phone)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_seed(seed: Any) -> str:
    if not isinstance(seed, str):
        raise invalid("seed must be text (digits or words the notary gives)")
    seed = seed.strip()
    if not seed or len(seed) > MAX_SEED:
        raise invalid(f"seed must be 1 to {MAX_SEED} characters")
    if unencodable(seed) or any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in seed):
        raise invalid("seed must be plain text (no control characters)")
    return seed


def check_quotas(quotas: Any, pool: tuple[Person, ...]) -> dict[str, int]:
    """{sector: n} in sector order, each sector in the pool with at least n people; refused
    whole with every problem named otherwise."""
    if not isinstance(quotas, dict) or not quotas:
        raise invalid('quotas must be an object of sector → number, e.g. {"人大代表": 5, "市民代表": 20}')
    available = by_sector(pool)
    problems, out = [], {}
    for sector in sorted(quotas):
        n = quotas[sector]
        if not isinstance(sector, str) or unencodable(sector):
            raise invalid("a quota's sector must be text")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            problems.append(f"{sector}: the quota must be a whole number of at least 1, not {n!r}")
        elif sector not in available:
            problems.append(f"{sector}: the pool has no one of this sector (it has {'、'.join(available) or 'no one'})")
        elif n > available[sector]:
            problems.append(f"{sector}: the quota is {n} but the pool has only {available[sector]}")
        else:
            out[sector] = n
    if problems:
        raise DomainError("bad_quota", "; ".join(problems) + "; nothing was drawn", 400)
    if sum(out.values()) > MAX_DRAWN:
        raise DomainError("bad_quota", f"at most {MAX_DRAWN} representatives in one draw", 400)
    return out


def draw(pool: tuple[Person, ...], quotas: Mapping[str, int], seed: str) -> list[dict[str, Any]]:
    """The drawn, sector by sector in code point order, each sector in ticket order:
    [{"sector", "name", "phone", "note", "ticket"}]. quotas and seed must be checked first."""
    drawn = []
    for sector in sorted(quotas):
        people = [(ticket(seed, p), p) for p in pool if p.sector == sector]
        people.sort(key=lambda tp: (tp[0], tp[1].name, phone_digits(tp[1].phone)))
        for t, p in people[:quotas[sector]]:
            drawn.append({**p.to_dict(), "ticket": t})
    return drawn


def draw_record(draw_id: int, pool: tuple[Person, ...], pool_info: Mapping[str, Any], quotas: dict[str, int],
                seed: str, seed_source: str, now: float, actor: dict[str, Any] | None,
                replaces: int | None) -> dict[str, Any]:
    """What is kept of a draw, for the notary: who, when, the seed, the quotas, the pool it
    was drawn from (size, fingerprint, when imported) and the result."""
    return {
        "id": draw_id, "at": now, "actor": actor, "seed": seed, "seed_source": seed_source,
        "quotas": dict(quotas), "algorithm": "sha256-ticket-v1",
        "pool": {"size": len(pool), "fingerprint": fingerprint(pool), "imported_at": pool_info.get("imported_at"),
                 "by_sector": by_sector(pool)},
        "drawn": draw(pool, quotas, seed), "replaces": replaces, "seats": None,
    }
