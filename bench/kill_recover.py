"""kill -9 the engine at random points in vote bursts, many times; prove nothing acked is lost.

    python bench/kill_recover.py [--rounds 20] [--phones 300] [--seed 1]

Each round, on one database that lives through all rounds: a fresh poll opens, the phones
vote spread over a second, and the engine gets SIGKILL after a random number of acks (in
some rounds the director closes the poll first). The engine restarts on the same --db and
the round checks, from the phones' acks and the operator's side (GET /api/polls/ID with
the token, and the ballot rows in SQLite):
  - every acknowledged ballot is stored, with its choice; no voter has two rows
  - the tally the restarted engine reports is exactly the ballot rows
  - nothing was acknowledged or stored after a close
  - the show resumed: the same segment, the poll in the same state
and measures kill -9 → `listening` line (recovery done) → first full /api/state answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ServerProcess, engine_argv, http, percentile, raise_fd_limit  # noqa: E402
from phones import Phones, stored_ballots, voter_id  # noqa: E402

ADMIN = "kill-bench-admin"
CHOICES = ("satisfied", "basic", "unsatisfied")


def restart(engine: ServerProcess, db: Path, out: dict) -> None:
    """What a supervisor does: as soon as the engine is dead, start it again on the same db."""
    engine.proc.wait(10)
    try:
        out["engine"] = ServerProcess(engine_argv(db, ADMIN))
        out["ready"] = out["engine"].ready_at
        out["state"] = http(out["engine"].url + "/api/state", token=ADMIN)
        out["state_at"] = time.monotonic()
    except Exception as exc:  # reported as a problem of the round
        out["error"] = repr(exc)


async def burst(url: str, poll: int, phones_n: int, kill_after: int, engine: ServerProcess, db: Path,
                close_first: bool, after: dict):
    closed: dict = {}
    async with Phones(url) as phones:
        await phones.connect(phones_n)
        seen = []
        loop = asyncio.get_running_loop()

        def on_ack(ballot):
            seen.append(ballot)
            if close_first and len(seen) == kill_after // 2 and "task" not in closed:
                closed["task"] = loop.run_in_executor(None, close_poll, url, poll, closed)
            if len(seen) == kill_after:
                closed["killed"] = time.monotonic()
                os.kill(engine.pid, signal.SIGKILL)
                after["thread"] = threading.Thread(target=restart, args=(engine, db, after))
                after["thread"].start()

        ballots = await phones.vote_all(poll, CHOICES, timeout=5, on_ack=on_ack, spread_s=1.0)
        if "task" in closed:
            try:
                await closed["task"]
            except Exception:
                pass
    return ballots, closed


def close_poll(url: str, poll: int, out: dict) -> None:
    status, view = http(f"{url}/api/polls/{poll}/close", "POST", {}, ADMIN, timeout=5)
    if status == 200:
        out["answered"] = time.monotonic()
        out["closed_at"] = view["closed_at"]


def one_round(db: Path, rnd: random.Random, phones_n: int) -> dict:
    engine = ServerProcess(engine_argv(db, ADMIN))
    status, body = http(engine.url + "/api/polls", "POST", {"title": "kill", "kind": "satisfaction"}, ADMIN)
    poll = body["id"]
    http(f"{engine.url}/api/polls/{poll}/open", "POST", {}, ADMIN)
    http(engine.url + "/api/control", "POST", {"action": "segment.next"}, ADMIN)
    segment = http(engine.url + "/api/state", token=ADMIN)[1]["segment"]["index"]
    kill_after = rnd.randrange(1, phones_n)
    close_first = rnd.random() < 0.3
    after: dict = {}
    ballots, closed = asyncio.run(burst(engine.url, poll, phones_n, kill_after, engine, db, close_first, after))
    if "thread" not in after:  # fewer acks than planned: kill now
        closed["killed"] = time.monotonic()
        engine.kill9()
        restart(engine, db, after)
    else:
        after["thread"].join(60)
    if "error" in after:
        raise RuntimeError(after["error"])
    t_kill, t_ready, t_state = closed["killed"], after["ready"], after["state_at"]
    restarted, state = after["engine"], after["state"][1]
    view = http(f"{restarted.url}/api/polls/{poll}", token=ADMIN)[1]
    rows = stored_ballots(str(db), poll)
    restarted.stop()

    acked = {voter_id(b.token): b for b in ballots if b.ok}
    stored = {v: (c, t) for v, c, t in rows}
    tally = Counter()
    for group in view["tally"].values():
        tally.update(group)
    problems = []
    if set(acked) - set(stored):
        problems.append(f"{len(set(acked) - set(stored))} acked ballots lost")
    if any(stored[v][0] != b.choice for v, b in acked.items() if v in stored):
        problems.append("an acked ballot changed choice")
    if len(rows) != len(stored):
        problems.append("a voter has two rows")
    if +tally != Counter(c for c, _ in stored.values()) or view["ballots"] != len(rows):
        problems.append("tally after restart != ballot rows")
    if state["segment"]["index"] != segment:
        problems.append("segment not resumed")
    if "answered" in closed:
        if view["state"] != "closed":
            problems.append("closed poll reopened")
        if any(b.sent > closed["answered"] for b in acked.values()):
            problems.append("a vote sent after the close was acked")
        if any(t > closed["closed_at"] for _, t in stored.values()):
            problems.append("a ballot stored after the close")
    elif view["state"] != "open":
        problems.append("open poll not open after restart")
    return {"poll": poll, "sent": len(ballots), "acked": len(acked), "stored": len(rows),
            "closed": "answered" in closed, "kill_to_ready_s": t_ready - t_kill,
            "kill_to_state_s": t_state - t_kill, "problems": problems}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--phones", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    raise_fd_limit()
    rnd = random.Random(args.seed)
    db = Path(tempfile.mkdtemp(prefix="wz-kill-")) / "show.db"
    results = []
    for i in range(args.rounds):
        r = one_round(db, rnd, args.phones)
        results.append(r)
        print(f"round {i + 1:3d}: sent {r['sent']:4d} acked {r['acked']:4d} stored {r['stored']:4d} "
              f"{'closed ' if r['closed'] else ''}kill→ready {r['kill_to_ready_s']:.2f} s "
              f"kill→state {r['kill_to_state_s']:.2f} s {'; '.join(r['problems']) or 'ok'}", flush=True)
    ready = sorted(r["kill_to_ready_s"] for r in results)
    state = sorted(r["kill_to_state_s"] for r in results)
    bad = [r for r in results if r["problems"]]
    print(f"\n{args.rounds} kills, {sum(r['acked'] for r in results)} acked ballots, "
          f"{sum(r['stored'] for r in results)} stored; rounds with a problem: {len(bad)}")
    print(f"kill→ready  p50 {percentile(ready, 50):.2f} s  max {ready[-1]:.2f} s")
    print(f"kill→state  p50 {percentile(state, 50):.2f} s  max {state[-1]:.2f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
