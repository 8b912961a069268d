"""Poll exports and the audit: the ballot log as CSV, a summary, and a recount.

The live tally is built in memory as acknowledged ballots arrive; the audit rebuilds it
from the durable ballot log (the `ballots` table) and compares the two, per group and per
venue. Operator-only: the ballot log names voters (seat ids, random token ids).
"""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.polls import GROUPS, RATING4_POINTS, STUDIO, Poll
from ..core.report import SafeCsvWriter

if TYPE_CHECKING:  # http.py imports this module; avoid the cycle at run time
    from .http import HttpApi

NO_STORE = {"Cache-Control": "no-store"}
SETTLE_TRIES = 5       # an open poll keeps taking votes: retry for a quiet moment
SETTLE_PAUSE_S = 0.1
# Stuffing checks. A flag is a lead, not proof: a carrier NAT or a venue's Wi-Fi puts many
# honest phones behind one address. More than BURST_BALLOTS ballots from one address within
# any BURST_WINDOW_S is flagged (a few thousand phones behind one NAT, voting over a minute
# or two, spread over many addresses of the carrier's pool, stay far below it).
BURST_BALLOTS = 20
BURST_WINDOW_S = 60.0
TOP_ADDRESSES = 20


def _local_time(t: float | None) -> str:
    if t is None:
        return ""
    return datetime.fromtimestamp(t).astimezone().isoformat(timespec="milliseconds")


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\r\n").writerows(rows)  # defuses formulas in every text cell
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 Chinese


csv_bytes = _csv  # for the other route modules (draw_routes)


def csv_attachment(body: bytes, filename: str) -> Response:
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'})


def recount(poll: Poll, ballots: list[dict[str, Any]]) -> dict[str, Any]:
    """The tally of `poll` rebuilt from its ballot rows, the same way Poll.count builds it."""
    keys = [c["key"] for c in poll.choices]
    tally = {g: {k: 0 for k in keys} for g in GROUPS}
    venues: dict[str, dict[str, int]] = {}
    unknown = 0
    for b in ballots:
        if b["grp"] not in tally or b["choice"] not in tally[b["grp"]]:
            unknown += 1
            continue
        tally[b["grp"]][b["choice"]] += 1
        if b["grp"] == STUDIO:
            venues.setdefault(b["venue"], {k: 0 for k in keys})[b["choice"]] += 1
    return {"tally": tally, "venues": venues, "ballots": sum(sum(g.values()) for g in tally.values()),
            "unrecognised": unknown}


def _live(poll: Poll) -> dict[str, Any]:
    return {"tally": {g: dict(v) for g, v in poll.tally.items()},
            "venues": {v: dict(t) for v, t in poll.venue_tally.items()}, "ballots": poll.ballots}


def _differences(live: dict[str, Any], counted: dict[str, Any]) -> list[dict[str, Any]]:
    diffs = []
    for group in GROUPS:
        for key, n in counted["tally"][group].items():
            if live["tally"][group].get(key, 0) != n:
                diffs.append({"group": group, "choice": key, "live": live["tally"][group].get(key, 0), "recount": n})
    for venue in sorted(set(live["venues"]) | set(counted["venues"])):
        lv, rv = live["venues"].get(venue, {}), counted["venues"].get(venue, {})
        for key in sorted(set(lv) | set(rv)):
            if lv.get(key, 0) != rv.get(key, 0):
                diffs.append({"venue": venue, "choice": key, "live": lv.get(key, 0), "recount": rv.get(key, 0)})
    return diffs


def _peak(times: list[float], window: float) -> tuple[int, float, float]:
    """The most of sorted `times` within any `window` seconds: (count, first, last)."""
    best, lo = (0, 0.0, 0.0), 0
    for hi, t in enumerate(times):
        while t - times[lo] > window:
            lo += 1
        if hi - lo + 1 > best[0]:
            best = (hi - lo + 1, times[lo], t)
    return best


def address_audit(ballots: list[dict[str, Any]]) -> dict[str, Any]:
    """Ballots per address (top TOP_ADDRESSES) and per minute, and bursts from one address.
    `addr` is '' for ballots stored before the address was kept, or cast through a secondary."""
    times_by_addr: dict[str, list[float]] = {}
    per_minute: dict[int, int] = {}
    for b in ballots:  # ordered by t
        times_by_addr.setdefault(b.get("addr") or "", []).append(b["t"])
        minute = int(b["t"] // 60 * 60)
        per_minute[minute] = per_minute.get(minute, 0) + 1
    rows, flags = [], []
    for addr, times in times_by_addr.items():
        n, start, end = _peak(times, BURST_WINDOW_S)
        rows.append({"addr": addr, "ballots": len(times), "first_at": times[0], "last_at": times[-1],
                     "peak_per_window": n})
        if addr and n > BURST_BALLOTS:
            flags.append({"kind": "address_burst", "addr": addr, "ballots": n, "window_s": BURST_WINDOW_S,
                          "from": start, "to": end,
                          "message": f"{n} ballots from {addr} within {BURST_WINDOW_S:.0f} s "
                                     f"(more than {BURST_BALLOTS}): a NAT, or stuffing"})
    rows.sort(key=lambda r: (-r["ballots"], r["addr"]))
    return {"addresses": len(times_by_addr), "by_address": rows[:TOP_ADDRESSES],
            "per_minute": [{"minute": m, "ballots": n} for m, n in sorted(per_minute.items())],
            "flags": sorted(flags, key=lambda f: -f["ballots"]),
            "burst_rule": {"ballots": BURST_BALLOTS, "window_s": BURST_WINDOW_S}}


class PollExports:
    def __init__(self, api: "HttpApi"):
        self.api = api

    def _poll(self, request: Request) -> Poll:
        self.api.require_operator(request)
        return self.api.engine.show.poll(request.path_params["id"])

    async def _ballots(self, poll: Poll) -> list[dict[str, Any]]:
        # A separate read connection in a worker thread: the engine's loop keeps serving votes.
        return await asyncio.to_thread(self.api.engine.store.ballots, poll.id)

    async def ballots_csv(self, request: Request) -> Response:
        poll = self._poll(request)
        labels = {c["key"]: c["label"] for c in poll.choices}
        rows: list[list[Any]] = [["seq", "poll", "time", "epoch", "group", "venue", "voter", "choice", "label", "addr"]]
        for n, b in enumerate(await self._ballots(poll), start=1):
            rows.append([n, poll.id, _local_time(b["t"]), f"{b['t']:.3f}", b["grp"], b["venue"], b["voter"],
                         b["choice"], labels.get(b["choice"], ""), b.get("addr", "")])  # addr: appended last
        return csv_attachment(_csv(rows), f"poll-{poll.id}-ballots.csv")

    async def summary_csv(self, request: Request) -> Response:
        poll = self._poll(request)
        view = self.api.engine.poll_view(poll, operator=True)
        venues = sorted(view["venues"])
        rows: list[list[Any]] = [["poll", poll.id], ["title", poll.title], ["kind", poll.kind],
                                 ["state", poll.state], ["opened", _local_time(poll.opened_at)],
                                 ["closed", _local_time(poll.closed_at)], ["ballots", view["ballots"]]]
        if poll.kind == "rating4":
            rows.append(["score", view.get("score")])
        rows.append([])
        rows.append(["choice", "label", "studio", "remote", "total", "combined_pct",
                     *(f"venue:{v}" for v in venues), *(["points"] if poll.kind == "rating4" else [])])
        for c in poll.choices:
            k = c["key"]
            studio, remote = view["tally"]["studio"][k], view["tally"]["remote"][k]
            rows.append([k, c["label"], studio, remote, studio + remote, view["combined"][k],
                         *(view["venues"][v].get(k, 0) for v in venues),
                         *([RATING4_POINTS[k]] if poll.kind == "rating4" else [])])
        return csv_attachment(_csv(rows), f"poll-{poll.id}-summary.csv")

    async def audit(self, request: Request) -> JSONResponse:
        poll = self._poll(request)
        for attempt in range(SETTLE_TRIES):
            before = _live(poll)
            ballots = await self._ballots(poll)
            after = _live(poll)
            counted = recount(poll, ballots)
            diffs = _differences(after, counted)
            if not diffs or (before == after and poll.state != "open"):
                break
            await asyncio.sleep(SETTLE_PAUSE_S)  # votes in flight between commit and count
        times = [b["t"] for b in ballots]
        late = [b for b in ballots if poll.closed_at is not None and b["t"] > poll.closed_at]
        early = [b for b in ballots if poll.opened_at is None or b["t"] < poll.opened_at]
        return JSONResponse({
            "poll": poll.id, "title": poll.title, "kind": poll.kind, "state": poll.state,
            "opened_at": poll.opened_at, "closed_at": poll.closed_at,
            "live": after, "recount": counted, "match": not diffs and not counted["unrecognised"], "differences": diffs,
            "ballots_logged": len(ballots), "late_ballots": len(late), "early_ballots": len(early),
            "first_ballot_at": min(times) if times else None, "last_ballot_at": max(times) if times else None,
            "summary": self.api.engine.poll_view(poll, operator=True), "attempts": attempt + 1,
            **address_audit(ballots),  # additions: addresses, by_address, per_minute, flags, burst_rule
            "actions": await self._actions(poll),
        }, headers=NO_STORE)

    async def _actions(self, poll: Poll) -> list[dict[str, Any]]:
        """Who created, opened, closed and revealed the poll, and when (from the event log)."""
        events = await asyncio.to_thread(self.api.engine.store.events)
        return [{"t": e["t"], "action": e["kind"], "auto": bool(e["data"].get("auto")),
                 "actor": e["data"].get("actor")}
                for e in events if e["kind"].startswith("poll.") and e["data"].get("poll") == poll.id]


def routes(api: "HttpApi") -> list[Route]:
    exports = PollExports(api)
    return [
        Route("/api/polls/{id}/ballots.csv", exports.ballots_csv, methods=["GET"]),
        Route("/api/polls/{id}/summary.csv", exports.summary_csv, methods=["GET"]),
        Route("/api/polls/{id}/audit", exports.audit, methods=["GET"]),
    ]
