"""Read a py-spy raw profile (`py-spy record --threads --idle --format raw`, as vote_burst.py --spy
writes) and print where each thread's samples went: its share of all samples, then the frames
with the most samples of their own (self) and the most below them (inclusive).

    python bench/spy_top.py /tmp/spy.node.engine.0 [--top 15] [--match engineio,socketio]
    python bench/spy_top.py /tmp/spy.node.engine.0 --layers    # the event loop's work by layer

A thread waiting (the loop in epoll, the store writer on its queue) is sampled too (--idle):
"busy" leaves out the samples whose innermost frame is one of those waits, so the shares of the
burst's work are not diluted by the quiet second before the go.
"""

from __future__ import annotations

import argparse
import collections
import sys

# Innermost frames that mean "waiting for work", not doing it.
IDLE_LEAVES = ("Runner.run (asyncio/runners.py", "run (uvloop/__init__.py", "Store._run (wenzheng_studio/store/db.py",
               "_wait_for_tstate_lock", "wait (threading.py", "Condition.wait", "select (selectors.py")


def read(path: str) -> list[tuple[str, list[str], int]]:
    out = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            thread = frames[0].split(": ", 1)[-1] if frames[0].startswith("thread") else "?"
            out.append((thread, frames[1:], int(count)))
    return out


def idle(frames: list[str]) -> bool:
    return bool(frames) and frames[-1].startswith(IDLE_LEAVES)


def short(frame: str) -> str:
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1]}" if where else name


def report(path: str, top: int, match: list[str]) -> None:
    samples = read(path)
    total = sum(c for _, _, c in samples) or 1
    busy = sum(c for _, f, c in samples if not idle(f)) or 1
    print(f"{path}: {total} samples, {busy} busy ({busy / total:.0%})")
    by_thread = collections.Counter()
    for thread, frames, c in samples:
        by_thread[(thread, "idle" if idle(frames) else "busy")] += c
    for (thread, kind), c in sorted(by_thread.items(), key=lambda kv: -kv[1]):
        print(f"  {thread:>14} {kind}: {c / total:6.1%} of all")
    own, incl = collections.Counter(), collections.Counter()
    for thread, frames, c in samples:
        if idle(frames) or not frames:
            continue
        own[(thread, short(frames[-1]))] += c
        for fr in set(short(f) for f in frames):
            incl[(thread, fr)] += c
    print(f"  self, % of busy samples (top {top}):")
    for (thread, fr), c in own.most_common(top):
        print(f"    {c / busy:6.1%}  [{thread}] {fr}")
    print(f"  inclusive, % of busy samples (top {top}):")
    for (thread, fr), c in incl.most_common(top):
        print(f"    {c / busy:6.1%}  [{thread}] {fr}")
    for m in match:
        c = sum(n for _, frames, n in samples if not idle(frames) and any(m in f for f in frames))
        print(f"  any frame matching {m!r}: {c / busy:6.1%} of busy")


# The event loop's work by layer: the innermost frame's file decides (first match wins).
LAYERS = (
    ("websocket framing + ASGI (uvicorn, websockets, lean_websocket; incl. the socket write)",
     ("(uvicorn/protocols/websockets", "(websockets/", "lean_websocket.py", "(engineio/async_drivers/asgi.py")),
    ("Engine.IO (python-engineio, lean_engineio)", ("(engineio/", "lean_engineio.py")),
    ("asyncio machinery (tasks, wait_for, queues, events)", ("(asyncio/",)),
    ("Socket.IO (python-socketio)", ("(socketio/",)),
    ("json", ("(json/",)),
    ("garbage collection (the GC pacer)", ("gc_pacing.py",)),
    ("our code (handler, Engine.vote, Store.write, futures resolved)", ("(wenzheng_studio/",)),
)


def layers(path: str, thread: str = "MainThread") -> None:
    """The thread's busy samples by layer of their innermost frame, in samples and %."""
    samples = [(f, c) for t, f, c in read(path) if t == thread and f and not idle(f)]
    busy = sum(c for _, c in samples) or 1
    shares = collections.Counter()
    for frames, c in samples:
        leaf = frames[-1]
        shares[next((name for name, parts in LAYERS if any(p in leaf for p in parts)), "other")] += c
    print(f"{path}: {thread}, {busy} busy samples, by layer")
    for name, _ in (*LAYERS, ("other", ())):
        print(f"  {shares[name]:5d}  {shares[name] / busy:6.1%}  {name}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profiles", nargs="+")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--match", default="", help="comma-separated substrings: their inclusive share")
    ap.add_argument("--layers", action="store_true", help="the event loop's busy samples by layer instead")
    args = ap.parse_args()
    for path in args.profiles:
        if args.layers:
            layers(path)
        else:
            report(path, args.top, [m for m in args.match.split(",") if m])
    return 0


if __name__ == "__main__":
    sys.exit(main())
