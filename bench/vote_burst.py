"""Vote burst: N phones connect, then all vote at once — our engine against a bare server.

    python bench/vote_burst.py --phones 5000 [--workers 3] [--rounds 1] [--targets bare,engine,cluster2]
                               [--clients raw,node] [--cpus 0,1] [--node-procs 2] [--no-hangup]

Each phone is a Socket.IO v5 client on the websocket transport — by default the lean
bench/rawsio.py, or python-socketio's AsyncClient with --client sio — and the phones are
spread over several worker processes so the load generator is not the bottleneck. A
separate process listens on /overlay and stamps every `tally`. All clocks are
CLOCK_MONOTONIC, shared by every process on the machine, so stamps compare directly.

Targets, run one after the other in the same invocation and on the same machine:
  bare      bench/bare_server.py: python-socketio + uvicorn, acks at once, no persistence
  bare-sansio  the same on uvicorn's websockets-sansio implementation, as `serve` runs
  bare-paced   bare-sansio with the engine's garbage-collection pacing (server/gc_pacing.py)
  engine    `wenzheng-studio serve`: the ack waits for the ballot's durable COMMIT
  cluster2  two engines sharing one Redis (primary + secondary), phones split between them,
            overlay on the secondary (needs redis-server; started and stopped here)
  engine@NAME  `serve` from another source tree (--tree NAME=DIR, e.g. a `git archive` of the
            commit before a change), so a change is measured against its parent in the same run

--cpus pins the server processes (and cluster2's Redis) to those CPUs from their first
instruction (sched_setaffinity before exec: every thread inherits it); the load generators
and the overlay listener stay unpinned. Each row says which CPUs its servers had.
Everything binds 127.0.0.1 and stops by itself (every wait has a timeout).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (ROOT, RedisServer, ServerProcess, engine_argv, http, parse_cpus, percentile,  # noqa: E402
                     raise_fd_limit, rss_mb)
from burst_report import BASELINES, print_table  # noqa: E402
from node_refs import NodePhones, node_server  # noqa: E402

ADMIN = "bench-admin-token"
CHOICES = ("satisfied", "basic", "unsatisfied")
PHASE_TIMEOUT_S = 180.0


# --- worker processes -----------------------------------------------------------------------
def phone_worker(urls: list[str], first: int, n: int, poll: int, need_tokens: bool,
                 ready_q: mp.Queue, go: mp.Event, out_q: mp.Queue, client: str, release: mp.Event) -> None:
    raise_fd_limit()
    asyncio.run(_phones(urls, first, n, poll, need_tokens, ready_q, go, out_q, client, release))


async def _phones(urls, first, n, poll, need_tokens, ready_q, go, out_q, client, release) -> None:
    import aiohttp
    import socketio
    from rawsio import RawSocket

    loop = asyncio.get_running_loop()
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False))
    indices = range(first, first + n)
    url_of = {i: urls[i % len(urls)] for i in indices}
    tokens: dict[int, str] = {}
    gate = asyncio.Semaphore(64)

    async def token(i: int) -> None:
        async with gate:
            async with session.post(url_of[i] + "/api/voter") as r:
                tokens[i] = (await r.json())["token"]

    t_tok = time.monotonic()
    if need_tokens:
        await asyncio.gather(*(token(i) for i in indices))
    t_tok_end = time.monotonic()

    clients: dict[int, object] = {}

    async def connect(i: int) -> None:
        auth = {"token": tokens.get(i, f"bare-{i}")}
        async with gate:
            if client == "raw":
                c = RawSocket(session, url_of[i], "/audience")
                await c.connect(auth, timeout=60)
            else:
                c = socketio.AsyncClient(http_session=session, reconnection=False)
                await c.connect(url_of[i], auth=auth, transports=["websocket"], namespaces=["/audience"],
                                wait_timeout=60)
        clients[i] = c

    t0 = time.monotonic()
    outcomes = await asyncio.gather(*(connect(i) for i in indices), return_exceptions=True)
    t1 = time.monotonic()
    failed = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    ready_q.put({"t_tok": t_tok, "t_tok_end": t_tok_end, "t0": t0, "t1": t1, "connected": len(clients),
                 "failed": len(failed), "errors": failed[:3]})
    if not await loop.run_in_executor(None, go.wait, PHASE_TIMEOUT_S):
        out_q.put({"votes": [], "error": "no go signal"})
    else:
        async def vote(i: int, c) -> tuple:
            choice = CHOICES[i % len(CHOICES)]
            s = time.monotonic()
            try:
                if client == "raw":
                    ack = await c.call("vote", {"poll": poll, "choice": choice}, timeout=60)
                else:
                    ack = await c.call("vote", {"poll": poll, "choice": choice}, namespace="/audience",
                                       timeout=60)
            except Exception as exc:  # a timeout is a lost ack, reported as such
                ack = {"ok": False, "error": type(exc).__name__}
            return (i, choice, s, time.monotonic(), bool(ack.get("ok")), ack.get("error"))

        votes = await asyncio.gather(*(vote(i, c) for i, c in clients.items()))
        out_q.put({"votes": votes})
    # Stay connected until the results are verified: every phone hanging up at once is a
    # separate measurement (python-socketio's disconnect bookkeeping is O(connections)).
    await loop.run_in_executor(None, release.wait, PHASE_TIMEOUT_S)
    await asyncio.gather(*(c.disconnect() for c in clients.values()), return_exceptions=True)
    await session.close()


def overlay_worker(url: str, ready_q: mp.Queue, stop: mp.Event, out_q: mp.Queue) -> None:
    asyncio.run(_overlay(url, ready_q, stop, out_q))


async def _overlay(url, ready_q, stop, out_q) -> None:
    import socketio

    seen: list[tuple[float, int]] = []
    c = socketio.AsyncClient(reconnection=False)

    @c.on("tally", namespace="/overlay")
    async def tally(data):
        seen.append((time.monotonic(), int(data.get("ballots") or 0)))

    await c.connect(url, transports=["websocket"], namespaces=["/overlay"], wait_timeout=30)
    ready_q.put("ready")
    await asyncio.get_running_loop().run_in_executor(None, stop.wait, PHASE_TIMEOUT_S * 2)
    out_q.put(seen)
    await c.disconnect()


# --- targets -----------------------------------------------------------------------------
def start_target(kind: str, tmp: Path, profile: str | None, cpus: set[int] | None = None,
                 trees: dict[str, str] | None = None):
    """(servers, phone urls, overlay url, poll id, needs tokens, cleanup)."""
    if kind in ("bare", "bare-sansio", "bare-paced"):
        extra = {"bare": [], "bare-sansio": ["--ws", "websockets-sansio"],
                 "bare-paced": ["--ws", "websockets-sansio", "--gc-paced"]}[kind]
        s = ServerProcess([sys.executable, str(ROOT / "bench" / "bare_server.py"), *extra], cpus=cpus)
        return [s], [s.url], s.url, 1, False, lambda: None
    if kind == "node":
        s = node_server(cpus)
        return [s], [s.url], s.url, 1, False, lambda: None
    if kind == "engine" or kind.startswith("engine@"):
        tree = (trees or {}).get(kind[len("engine@"):]) if "@" in kind else str(ROOT)
        if tree is None or not (Path(tree) / "wenzheng_studio").is_dir():
            raise SystemExit(f"{kind} needs --tree {kind[7:]}=DIR, DIR holding a wenzheng_studio package")
        # `python -m` puts the working directory first on sys.path: the package of that tree runs
        s = ServerProcess(engine_argv(tmp / "engine.db", ADMIN, profile=profile), cpus=cpus, cwd=tree)
        return [s], [s.url], s.url, _open_poll(s.url), True, lambda: None
    if kind == "cluster2":
        redis = RedisServer(cpus=cpus)
        try:
            primary = ServerProcess(engine_argv(tmp / "primary.db", ADMIN, "--redis", redis.url), cpus=cpus)
            secondary = ServerProcess(engine_argv(tmp / "secondary.db", ADMIN, "--redis", redis.url,
                                                  "--role", "secondary"), cpus=cpus)
        except Exception:
            redis.stop()
            raise
        poll = _open_poll(secondary.url)  # a command through the secondary: forwarded to the primary
        return [primary, secondary], [primary.url, secondary.url], secondary.url, poll, True, redis.stop
    raise ValueError(kind)


def _open_poll(url: str) -> int:
    status, body = http(url + "/api/polls", "POST", {"title": "bench", "kind": "satisfaction"}, ADMIN)
    assert status == 201, body
    status, body2 = http(f"{url}/api/polls/{body['id']}/open", "POST", {}, ADMIN)
    assert status == 200, body2
    return body["id"]


def run_target(kind: str, phones: int, workers: int, profile: str | None = None, client: str = "raw",
               spy: str | None = None, cpus: set[int] | None = None, node_procs: int = 1,
               hangup: bool = True, trees: dict[str, str] | None = None) -> dict:
    ctx = mp.get_context("spawn")
    tmp = Path(tempfile.mkdtemp(prefix=f"wz-bench-{kind}-"))
    servers, urls, overlay_url, poll, need_tokens, cleanup = start_target(kind, tmp, profile, cpus, trees)
    procs: list = []
    node_phones: list[NodePhones] = []
    try:
        rss_start = {s.pid: rss_mb(s.pid) for s in servers}
        ready_q, out_q, ovl_q = ctx.Queue(), ctx.Queue(), ctx.Queue()
        go, stop, release = ctx.Event(), ctx.Event(), ctx.Event()
        ovl = ctx.Process(target=overlay_worker, args=(overlay_url, ready_q, stop, ovl_q), daemon=True)
        ovl.start()
        procs.append(ovl)
        assert ready_q.get(timeout=30) == "ready"
        if client == "node":  # the official socket.io-client, in --node-procs Node processes (default one)
            share = _shares(phones, node_procs)
            first = 0
            for n in share:
                node_phones.append(NodePhones(urls, first, n, poll, need_tokens))
                first += n
            readies = [p.ready(PHASE_TIMEOUT_S) for p in node_phones]
        else:
            share = _shares(phones, workers)
            first = 0
            for n in share:
                p = ctx.Process(target=phone_worker, daemon=True,
                                args=(urls, first, n, poll, need_tokens, ready_q, go, out_q, client, release))
                p.start()
                procs.append(p)
                first += n
            readies = [ready_q.get(timeout=PHASE_TIMEOUT_S) for _ in share]
        rss_idle = {s.pid: rss_mb(s.pid) for s in servers}
        spying = []
        if spy:  # sample every thread of every server process around the burst (.0 = the first server)
            spying = [subprocess.Popen(["py-spy", "record", "--pid", str(s.pid), "--rate", "200", "--threads",
                                        "--idle", "--format", "raw", "--output", f"{spy}.{k}"]
                                       + (["--native"] if os.environ.get("WENZHENG_SPY_NATIVE") else []),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                      for k, s in enumerate(servers)]
        time.sleep(0.5 if not spy else 1.5)  # let the connect phase's pushes drain before the burst
        t_go = time.monotonic()
        if node_phones:
            for p in node_phones:
                p.go()
            results = [{"votes": p.votes(PHASE_TIMEOUT_S)} for p in node_phones]
        else:
            go.set()
            results = [out_q.get(timeout=PHASE_TIMEOUT_S) for _ in share]
        for s in spying:
            s.send_signal(signal.SIGINT)
        for s in spying:
            s.wait(30)
        votes = [v for r in results for v in r["votes"]]
        acked = [v for v in votes if v[4]]
        last_ack = max((v[3] for v in acked), default=t_go)
        expected = len(acked)
        deadline = time.monotonic() + 3.0
        if kind not in BASELINES:
            while time.monotonic() < deadline:  # wait for the final tally to reach the overlay
                st, view = http(f"{urls[-1]}/api/polls/{poll}", token=ADMIN)
                if st == 200 and view.get("ballots", 0) >= expected:
                    break
                time.sleep(0.05)
        time.sleep(0.5)
        stop.set()
        overlay_seen = ovl_q.get(timeout=30)
        rss_after = {s.pid: rss_mb(s.pid) for s in servers}
        final = [t for t, b in overlay_seen if b >= expected and t >= t_go]
        lat = sorted(v[3] - v[2] for v in acked)
        row = {
            "target": kind, "client": client, "phones": phones, "connected": sum(r["connected"] for r in readies),
            "connect_failed": sum(r["failed"] for r in readies),
            "connect_errors": [e for r in readies for e in r["errors"]][:3],
            "connect_s": max(r["t1"] for r in readies) - min(r["t0"] for r in readies),
            "tokens_s": max(r["t_tok_end"] for r in readies) - min(r["t_tok"] for r in readies),
            "votes_sent": len(votes), "acked": expected,
            "refused": _count(v[5] for v in votes if not v[4]),
            "burst_s": last_ack - t_go, "p50_ms": percentile(lat, 50) * 1000,
            "p95_ms": percentile(lat, 95) * 1000, "p99_ms": percentile(lat, 99) * 1000,
            "max_ms": (lat[-1] if lat else float("nan")) * 1000,
            "tally_to_overlay_ms": ((final[0] - last_ack) * 1000) if final else None,
            "rss_mb": [round(rss_after[s.pid].get("rss", 0), 1) for s in servers],
            "peak_rss_mb": [round(rss_after[s.pid].get("peak", 0), 1) for s in servers],
            "idle_rss_mb": [round(rss_idle[s.pid].get("rss", 0), 1) for s in servers],
            "start_rss_mb": [round(rss_start[s.pid].get("rss", 0), 1) for s in servers],
            "cpus": "+".join(_cpus_allowed(s.pid) for s in servers),
            "client_procs": len(share),
        }
        connected = row["connected"] or 1
        # what a phone costs: every server process's peak, over the phones; and the same above the
        # servers' resident size before any phone connected (the interpreter, the show, the pages)
        row["kb_per_phone"] = sum(row["peak_rss_mb"]) * 1024 / connected
        row["kb_per_phone_added"] = (sum(row["peak_rss_mb"]) - sum(row["start_rss_mb"])) * 1024 / connected
        row["overlay_timeline"] = [(round(t - t_go, 3), b) for t, b in overlay_seen if t >= t_go][:60]
        row["acks_timeline"] = [(round(q / 10, 1), sum(1 for v in acked if v[3] - t_go <= q / 10))
                                for q in range(0, int(row["burst_s"] * 10) + 2)]
        row["connects_per_s"] = row["connected"] / row["connect_s"] if row["connect_s"] else 0
        row["votes_per_s"] = expected / row["burst_s"] if row["burst_s"] > 0 else 0
        if kind not in BASELINES:
            row.update(verify(urls, poll, acked))
        release.set()
        for p in node_phones:
            threading.Thread(target=p.release, daemon=True).start()
        if hangup:
            row["hangup_stall_s"] = worst_stall(urls[0], seconds=min(60.0, 5 + phones / 250))
        return row
    except BaseException:
        for s in servers:  # why a server stopped answering is in its own log
            print(f"--- {kind} pid {s.pid} (exit {s.proc.poll()}), last stderr lines:\n"
                  + "".join(s.stderr_lines[-30:]), file=sys.stderr, flush=True)
        raise
    finally:
        for p in node_phones:
            if p.proc.poll() is None:
                p.proc.kill()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
        for s in servers:
            s.stop()
        cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def _shares(phones: int, procs: int) -> list[int]:
    return [phones // procs + (1 if w < phones % procs else 0) for w in range(procs)]


def _cpus_allowed(pid: int) -> str:
    """The CPUs the kernel lets this process run on (taskset's view), e.g. '0' or '0-1'."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Cpus_allowed_list:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def worst_stall(url: str, seconds: float) -> float:
    """While every phone hangs up at once: the slowest GET /healthz, i.e. how long the loop froze."""
    worst, deadline = 0.0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        t = time.monotonic()
        try:
            http(url + "/healthz", timeout=60)
        except Exception:
            return float("inf")
        worst = max(worst, time.monotonic() - t)
        time.sleep(0.1)
    return worst


def _count(codes) -> dict:
    out: dict = {}
    for c in codes:
        out[c] = out.get(c, 0) + 1
    return out


def verify(urls: list[str], poll: int, acked: list[tuple]) -> dict:
    """Every acked ballot counted once, on every engine's read-out."""
    want = {c: 0 for c in CHOICES}
    for v in acked:
        want[v[1]] += 1
    views = [http(f"{u}/api/polls/{poll}", token=ADMIN)[1] for u in urls]
    got = [{k: sum(g.get(k, 0) for g in view["tally"].values()) for k in CHOICES} for view in views]
    lost = sum(max(0, want[k] - got[0][k]) for k in CHOICES)
    doubled = sum(max(0, got[0][k] - want[k]) for k in CHOICES)
    return {"lost": lost, "doubled": doubled, "engines_agree": all(g == got[0] for g in got)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--phones", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=3, help="load-generator processes")
    ap.add_argument("--rounds", type=int, default=1, help="alternate the targets this many times")
    ap.add_argument("--targets", default="bare,node,engine",
                    help="bare, bare-sansio, bare-paced, node (socket.io 4 on Node), engine, cluster2, "
                         "engine@NAME (needs --tree NAME=DIR)")
    ap.add_argument("--tree", action="append", default=[], metavar="NAME=DIR",
                    help="a source tree (e.g. `git archive HEAD~1 | tar -x -C DIR`) whose wenzheng_studio "
                         "the engine@NAME target runs; repeatable")
    ap.add_argument("--cpus", help="pin the server processes (not the load generator) to these CPUs: 0 or 0,1")
    ap.add_argument("--node-procs", type=int, default=1,
                    help="split the official client's phones over this many Node processes")
    ap.add_argument("--no-hangup", action="store_true",
                    help="skip timing the mass hang-up after each target (saves 25-60 s a target)")
    ap.add_argument("--profile", help="cProfile the engine into this file (engine target only)")
    ap.add_argument("--json", help="append the rows as JSON lines to this file")
    ap.add_argument("--spy", help="py-spy the server during the burst into this file (collapsed stacks)")
    ap.add_argument("--clients", default="raw,node",
                    help="load generators, each run against every target: raw = lean Socket.IO v5 client "
                         "(bench/rawsio.py, --workers processes), sio = python-socketio AsyncClient, "
                         "node = the official socket.io-client in one Node process")
    args = ap.parse_args()
    cpus = parse_cpus(args.cpus)
    trees = dict(t.split("=", 1) for t in args.tree)
    raise_fd_limit()
    rows = []
    for _ in range(args.rounds):
        for client, kind in [(c, k) for c in args.clients.split(",") for k in args.targets.split(",")]:
            row = run_target(kind, args.phones, args.workers, args.profile if kind == "engine" else None,
                             client, f"{args.spy}.{client}.{kind}" if args.spy else None, cpus=cpus,
                             node_procs=args.node_procs, hangup=not args.no_hangup, trees=trees)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            if args.json:
                with open(args.json, "a") as f:
                    f.write(json.dumps(row) + "\n")
    print_table(rows)
    return 0 if all(r.get("lost", 0) == 0 and r.get("doubled", 0) == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
