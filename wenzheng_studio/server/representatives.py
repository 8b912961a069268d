"""The engine's 评议代表库: the pool, its draws and the drawn representatives' seat cards.

Each command goes through Engine._command (one at a time, answered after COMMIT). The pool
and the draws are immutable values swapped in by the command and swapped back if its write
fails, so memory and disk never disagree. Kept beside the Show rather than in it: the pool
is thousands of rows that no state push carries, and it is written only by its own import.

Rules: an import replaces the pool whole (refused once the current draw's seat cards are
issued: the cards would no longer match the pool); a draw is refused while a draw exists
unless `replace` is true, and refused outright once its seat cards are issued (cards are
credentials in people's hands); every draw is kept, the replaced ones too.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING, Any

from ..core.draw import check_quotas, check_seed, draw_record
from ..core.errors import DomainError, invalid
from ..core.operators import ADMIN, READ, REPRESENTATIVES, Actor, require
from ..core.questions import mask_phone
from ..core.representatives import Person, by_sector, fingerprint, parse_pool
from ..core.show import Change
from .auth import new_seat_key

if TYPE_CHECKING:
    from .engine import Engine

SEED_DIGITS = 12


def generated_seed() -> str:
    """12 random digits: read aloud and written down by the notary in a few seconds."""
    return f"{secrets.randbelow(10 ** SEED_DIGITS):0{SEED_DIGITS}d}"


class RepresentativesDesk:
    def __init__(self, engine: "Engine"):
        self.engine = engine
        self.pool: tuple[Person, ...] = ()
        self.pool_info: dict[str, Any] = {}
        self.draws: tuple[dict[str, Any], ...] = ()

    def restore(self, pool: list[dict], pool_info: dict | None, draws: list[dict]) -> None:
        self.pool = tuple(Person.from_dict(p) for p in pool)
        self.pool_info = dict(pool_info or {})
        self.draws = tuple(draws)

    @property
    def current(self) -> dict[str, Any] | None:
        return self.draws[-1] if self.draws else None

    def _refuse_on_secondary(self) -> None:
        if self.engine.is_secondary:
            raise DomainError("primary_only", "the pool and its draws are kept by the primary engine: "
                              "import and draw on the director's PC (the primary)", 409)

    async def _run(self, apply, *bodies: Any) -> Any:
        """engine._command, with the pool and the draws put back if the write fails."""
        before = (self.pool, self.pool_info, self.draws, dict(self.engine.seats))
        try:
            return await self.engine._command(apply, *bodies)
        except DomainError as exc:
            if exc.code == "unavailable":
                self.pool, self.pool_info, self.draws = before[:3]
                self.engine.seats = before[3]
            raise

    # --- commands ---------------------------------------------------------------------------
    async def import_pool(self, data: bytes, *, xlsx: bool = False, actor: Actor = ADMIN) -> dict[str, Any]:
        require(actor, REPRESENTATIVES)
        self._refuse_on_secondary()
        # Read off the loop: a 5,000-row XLSX takes ~0.2 s, which must not stall clocks and ballots.
        # Refused whole, naming its rows, before anything changes.
        people = await asyncio.to_thread(parse_pool, data, xlsx=xlsx)

        def apply(now: float):
            current = self.current
            if current is not None and current.get("seats"):
                raise DomainError("seats_issued", f"draw {current['id']}'s seat cards are issued: the pool it was "
                                  "drawn from cannot be replaced now", 409)
            info = {"imported_at": now, "actor": actor.record(), "size": len(people),
                    "fingerprint": fingerprint(people), "by_sector": by_sector(people)}
            self.pool, self.pool_info = people, info
            return self.pool_view(actor), Change(
                {"kind": "representatives.import", "size": len(people), "fingerprint": info["fingerprint"],
                 "actor": actor.record()}, ops=[("pool", [p.to_dict() for p in people], info)])

        return await self._run(apply)

    async def draw(self, body: Any, actor: Actor = ADMIN) -> dict[str, Any]:
        require(actor, REPRESENTATIVES)
        self._refuse_on_secondary()
        if not isinstance(body, dict) or set(body) - {"quotas", "seed", "replace"}:
            raise invalid('body must be {"quotas": {sector: n}, "seed"?: text, "replace"?: true}')
        replace = body.get("replace", False)
        if not isinstance(replace, bool):
            raise invalid("replace must be true or false")
        given = body.get("seed")
        seed = check_seed(given) if given is not None else generated_seed()

        def apply(now: float):
            if not self.pool:
                raise DomainError("no_pool", "import the representatives' pool (评议代表库) first", 409)
            quotas = check_quotas(body.get("quotas"), self.pool)
            current = self.current
            if current is not None and current.get("seats"):
                raise DomainError("seats_issued", f"draw {current['id']}'s seat cards are issued; it can no "
                                  "longer be replaced", 409)
            if current is not None and not replace:
                raise DomainError("already_drawn", f"draw {current['id']} exists; send replace: true to replace "
                                  "it (it stays on record)", 409)
            record = draw_record(len(self.draws) + 1, self.pool, self.pool_info, quotas, seed,
                                 "given" if given is not None else "generated", now, actor.record(),
                                 current["id"] if current else None)
            self.draws = self.draws + (record,)
            return self.draw_view(record, actor), Change(
                {"kind": "representatives.draw", "draw": record["id"], "seed": seed, "quotas": quotas,
                 "replaces": record["replaces"], "actor": actor.record()}, ops=[("draw", record["id"], record)])

        return await self._run(apply, body)

    async def issue_seats(self, body: Any, actor: Actor = ADMIN) -> dict[str, Any]:
        """Seat cards for the current draw's representatives, once; later calls return the same."""
        require(actor, REPRESENTATIVES)
        self._refuse_on_secondary()
        body = {} if body is None else body
        if not isinstance(body, dict) or set(body) - {"venue"}:
            raise invalid('body must be {"venue"?}')
        venues = self.engine.scene.venues
        venue = body.get("venue", venues[0] if venues else "main")
        if venue not in venues:
            raise invalid(f"venue must be one of {', '.join(venues)}, not {venue!r}")
        issued_now: list[str] = []

        def apply(now: float):
            current = self.current
            if current is None:
                raise DomainError("no_draw", "draw the representatives first", 409)
            if current.get("seats"):
                return current, None  # issued already: the same cards again
            if current["pool"]["fingerprint"] != self.pool_info.get("fingerprint"):
                raise DomainError("stale_draw", f"the pool was replaced after draw {current['id']}: draw again "
                                  "from the pool as it is now (replace: true) before issuing seat cards", 409)
            taken = set(self.engine.seats)
            n, seats = 0, []
            for _ in current["drawn"]:
                n += 1
                while f"{venue}-{n:03d}" in taken:
                    n += 1
                seats.append(f"{venue}-{n:03d}")
            record = {**current, "seats": {"venue": venue, "issued_at": now, "actor": actor.record()},
                      "drawn": [{**person, "seat": seat} for person, seat in zip(current["drawn"], seats)]}
            ops: list[tuple] = []
            for seat in seats:
                key = new_seat_key()
                self.engine.seats[seat] = (venue, key)
                ops.append(("seat", seat, venue, key, now))
            ops.append(("draw", record["id"], record))
            self.draws = self.draws[:-1] + (record,)
            issued_now.extend(seats)
            return record, Change({"kind": "representatives.seats", "draw": record["id"], "venue": venue,
                                   "count": len(seats), "actor": actor.record()}, ops=ops)

        record = await self._run(apply, body)
        if issued_now:
            self.engine._notify("seats", len(issued_now))  # the cluster mirror carries them to secondaries
        return record

    # --- read-outs ----------------------------------------------------------------------------
    def pool_view(self, actor: Actor = ADMIN) -> dict[str, Any]:
        require(actor, REPRESENTATIVES)  # names with phone numbers: the director's alone
        self._refuse_on_secondary()
        return {**self.pool_info, "size": len(self.pool), "people": [p.to_dict() for p in self.pool],
                "by_sector": by_sector(self.pool)}

    def draw_view(self, record: dict[str, Any] | None = None, actor: Actor = ADMIN) -> dict[str, Any] | None:
        """A draw for any operator (the notary signs in as an observer): phones masked except for
        the director, tickets kept (anyone can recompute them)."""
        require(actor, READ)
        record = record if record is not None else self.current
        if record is None:
            return None
        full = actor.role == "director"
        drawn = [{**p, "phone": p.get("phone", "") if full else mask_phone(p.get("phone", ""))}
                 for p in record["drawn"]]
        return {**record, "drawn": drawn, "replaced_by": self._replaced_by(record["id"])}

    def _replaced_by(self, draw_id: int) -> int | None:
        return next((d["id"] for d in self.draws if d.get("replaces") == draw_id), None)

    def draws_view(self, actor: Actor = ADMIN) -> dict[str, Any]:
        require(actor, READ)
        self._refuse_on_secondary()
        return {"current": self.draw_view(None, actor) if self.draws else None,
                "draws": [self.draw_view(d, actor) for d in self.draws]}

    def seat_cards(self, public_url: str, actor: Actor = ADMIN) -> list[dict[str, Any]]:
        """The current draw's seat cards with their signed-in links (credentials: the director's)."""
        from urllib.parse import quote

        require(actor, REPRESENTATIVES)
        self._refuse_on_secondary()
        current = self.current
        if current is None or not current.get("seats"):
            return []
        cards = []
        for person in current["drawn"]:
            venue, key = self.engine.seats[person["seat"]]
            cards.append({"seat": person["seat"], "venue": venue, "key": key, "name": person["name"],
                          "sector": person["sector"],
                          "url": f"{public_url}/vote?seat={quote(person['seat'])}&key={quote(key)}"})
        return cards
