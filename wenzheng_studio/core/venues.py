"""Venues (三民, seed 001): a main venue and sub-venues whose ballots are tallied apart.

A venue has a key (`main`, `sub01` …, from the scene's `vote.venues`) and a display name:
the scene's `vote.venue_names`, else 主会场 / 分会场一 … derived from the key. The per-venue
result of a poll is built here once, for the control room, the overlay, the report and the CSV.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

MAIN = "main"
MAX_NAME = 20
_SUB = re.compile(r"^sub0*(\d{1,2})$")
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (1..99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones or not tens else "")


def default_venue_name(key: str) -> str:
    """主会场 for `main`, 分会场一 … for `sub01` …, the key itself for anything else."""
    if key in ("", MAIN):
        return "主会场"
    m = _SUB.match(key)
    if m and 0 < int(m.group(1)) < 100:
        return "分会场" + chinese_number(int(m.group(1)))
    return key


class VenueNameError(ValueError):
    """(where, why): a mistake in a scene's venue_names (the scene loader names the field)."""


def check_venue_names(names: Any, venues: Iterable[str]) -> dict[str, str]:
    """The scene's `venue_names` table, checked: every key one of `venues`, every name plain
    text of 1..20 characters, no two venues with the same name. Raises VenueNameError(where, why)."""
    venues = list(venues)
    if not isinstance(names, dict):
        raise VenueNameError("", "must be a table of venue = \"name\"")
    out: dict[str, str] = {}
    for key, name in names.items():
        if key not in venues:
            raise VenueNameError(key, f"is not one of vote.venues ({', '.join(venues)})")
        if not isinstance(name, str) or not name.strip():
            raise VenueNameError(key, "must be a non-empty name")
        name = name.strip()
        if len(name) > MAX_NAME or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in name):
            raise VenueNameError(key, f"must be plain text of at most {MAX_NAME} characters")
        out[key] = name
    full = {v: out.get(v) or default_venue_name(v) for v in venues}
    seen: dict[str, str] = {}
    for v, name in full.items():
        if name in seen:
            raise VenueNameError(v, f"has the same name as {seen[name]} ({name!r})")
        seen[name] = v
    # a name the key would give anyway is not kept: one scene, one set of names, however written
    return {v: name for v, name in out.items() if name != default_venue_name(v)}


def share(count: int, of: int) -> float:
    """count ÷ of in percent to one decimal, halves rounded up, in whole numbers (no float
    rounding to even): venue_board.js computes the same digits for the /overlay page."""
    return (2000 * count + of) // (2 * of) / 10


def venue_results(poll: Mapping[str, Any], venues: Iterable[str],
                  names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A poll view's tally by venue: one row per venue of the scene (in its order, those with no
    ballot too), then any venue the poll counted that the scene no longer lists, and the total
    of the venues. Each row: key, name, ballots, counts {choice: n}, shares {choice: percent of
    the venue's ballots, None when it has none}. Remote ballots (phones) belong to no venue:
    they are `remote`, apart. Empty rows when the view carries no tally (not revealed)."""
    names = names or {}
    keys = [c.get("key") for c in poll.get("choices") or []]
    tally = poll.get("venues")
    if not isinstance(tally, Mapping):
        return {"rows": [], "total": None, "remote": None, "choices": list(poll.get("choices") or [])}
    order = list(dict.fromkeys([*venues, *tally]))

    def row(key: str, name: str, counts: Mapping[str, Any]) -> dict[str, Any]:
        counts = {k: int(counts.get(k) or 0) for k in keys}
        n = sum(counts.values())
        shares = {k: (share(counts[k], n) if n else None) for k in keys}
        return {"key": key, "name": name, "ballots": n, "counts": counts, "shares": shares}

    rows = [row(v, names.get(v) or default_venue_name(v), tally.get(v) or {}) for v in order]
    total = row("total", "合计", {k: sum(r["counts"][k] for r in rows) for k in keys})
    remote_counts = (poll.get("tally") or {}).get("remote") or {}
    remote = row("remote", "场外", remote_counts) if sum(int(v or 0) for v in remote_counts.values()) else None
    return {"rows": rows, "total": total, "remote": remote, "choices": list(poll.get("choices") or [])}
