"""How long does the control room's GUI thread stall while 5,000 votes arrive in a burst?

    python bench/ui_stall.py [--votes 5000] [--heartbeat-ms 5]

1. Cold start: a fresh Python process starts its embedded engine and the control room
   (offscreen) and reports when the window shows the engine's first state.
2. Stall: the control room runs on a real engine with a poll open; a separate process
   connects N python-socketio voters to /audience on 127.0.0.1, then all of them vote at
   once. A QTimer heartbeat on the GUI thread records every gap between its ticks; the
   longest gap minus the interval is the longest stall. Everything is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import shutil
import subprocess
import threading
import traceback
import sys
import tempfile
import time
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TOKEN = "bench-token"
DEADLINE_S = 240


def http(url: str, method: str = "GET", body=None, token: str | None = TOKEN):
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method=method,
                                 headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


# --- the voters (their own process: their CPU must not be the GUI's GIL) -----------------
def voters_main(url: str, poll_id: int, n: int, concurrency: int, ready, go, results) -> None:
    asyncio.run(_voters(url, poll_id, n, concurrency, ready, go, results))


async def _voters(url, poll_id, n, concurrency, ready, go, results) -> None:
    import aiohttp
    import socketio

    sem = asyncio.Semaphore(concurrency)
    clients: list = []
    async with aiohttp.ClientSession() as http_session:
        async def one() -> None:
            async with sem:
                async with http_session.post(url + "/api/voter", json={}) as resp:
                    token = (await resp.json())["token"]
                c = socketio.AsyncClient(reconnection=False)
                await c.connect(url, namespaces=["/audience"], transports=["websocket"], auth={"token": token},
                                wait_timeout=20)
                clients.append(c)

        t0 = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(one() for _ in range(n))), timeout=DEADLINE_S / 2)
        ready.put(time.monotonic() - t0)
        while not go.is_set():
            await asyncio.sleep(0.01)
        choices = ("satisfied", "basic", "unsatisfied")
        t1 = time.monotonic()

        async def vote(i, c):
            return await c.call("vote", {"poll": poll_id, "choice": choices[i % 3]}, namespace="/audience", timeout=60)

        acks = await asyncio.wait_for(asyncio.gather(*(vote(i, c) for i, c in enumerate(clients)),
                                                     return_exceptions=True), timeout=DEADLINE_S / 2)
        elapsed = time.monotonic() - t1
        ok = sum(1 for a in acks if isinstance(a, dict) and a.get("ok"))
        results.put({"ok": ok, "burst_s": elapsed})
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


# --- cold start -------------------------------------------------------------------------------
def cold_child() -> None:
    """Runs in a fresh interpreter: engine + window, prints when the first state is shown."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from wenzheng_studio.client import EmbeddedEngine
    from wenzheng_studio.ui.bridge import EngineBridge
    from wenzheng_studio.ui.control_room import ControlRoomWindow

    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        engine = EmbeddedEngine(port=0, host="127.0.0.1", db=os.path.join(tmp, "show.db"), admin_token=TOKEN)
        engine.start()
        engine_up = time.time()
        bridge = EngineBridge(engine.url, TOKEN)
        window = ControlRoomWindow(bridge)
        window.resize(1920, 1080)
        window.show()
        bridge.start()
        shown = time.time()

        def check() -> None:
            if window.state and window.scene and window.clocks.time_of_day.text() != "--:--":
                print(f"TIMES {engine_up} {shown} {time.time()}", flush=True)
                app.quit()

        poll = QTimer()
        poll.timeout.connect(check)
        poll.start(5)
        QTimer.singleShot(60_000, app.quit)
        app.exec()
        window.close()
        bridge.stop()
        engine.stop()


def cold_start() -> dict:
    t0 = time.time()
    out = subprocess.run([sys.executable, __file__, "--cold-child"], capture_output=True, text=True, timeout=90,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    line = next((l for l in out.stdout.splitlines() if l.startswith("TIMES")), None)
    if not line:
        raise RuntimeError("cold start child failed:\n" + out.stderr[-2000:])
    engine_up, shown, usable = (float(x) for x in line.split()[1:])
    return {"engine_s": engine_up - t0, "window_s": shown - t0, "usable_s": usable - t0}


# --- the stall measurement ---------------------------------------------------------------------
def _sample_stalls(last: list, main_id: int, stop: threading.Event, found: dict, over_s: float = 0.02) -> None:
    """--explain: while the heartbeat is late, note where the GUI thread is (its innermost frames)."""
    import sys as _sys

    while not stop.is_set():
        time.sleep(0.003)
        if time.perf_counter() - last[0] > over_s:
            frame = _sys._current_frames().get(main_id)
            if frame is not None:
                where = " < ".join(f"{f.name}@{os.path.basename(f.filename)}:{f.lineno}"
                                   for f in reversed(traceback.extract_stack(frame)[-4:]))
                found[where] = found.get(where, 0) + 1


def stall(n: int, heartbeat_ms: int, concurrency: int, preview: bool = True, explain: bool = False,
          gc_mode: str = "gui") -> dict:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    if not preview:  # compare: the window without the on-air preview
        import wenzheng_studio.ui.control_room.window as window_module
        window_module.overlay_available = lambda: False

    from wenzheng_studio.client import EmbeddedEngine
    from wenzheng_studio.ui.bridge import EngineBridge
    from wenzheng_studio.ui.control_room import ControlRoomWindow, freeze_startup_objects

    if gc_mode == "gui":  # as every window process runs (ui/gui_gc.py): collection on a GUI-thread timer
        from wenzheng_studio.ui.gui_gc import gui_application
        app = gui_application()
    else:  # "auto": CPython's automatic collector, on whichever thread crosses its threshold
        app = QApplication.instance() or QApplication([])
    tmp = tempfile.mkdtemp(prefix="ui-stall-")
    engine = EmbeddedEngine(port=0, host="127.0.0.1", db=os.path.join(tmp, "show.db"), admin_token=TOKEN,
                            extra_args=["--voter-token-rate", "0"])
    url = engine.start()
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    proc = None
    window = bridge = None
    gaps: list[float] = []
    stop_sampler = threading.Event()
    stall_stacks: dict[str, int] = {}
    try:
        bridge = EngineBridge(url, TOKEN)
        window = ControlRoomWindow(bridge)
        window.resize(1920, 1080)
        window.show()
        bridge.start()
        freeze_startup_objects()  # as run_control_room does
        deadline = time.monotonic() + 30
        while not (window.state and window.scene) and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        http(url + "/api/control", "POST", {"action": "show.start"})
        poll_id = http(url + "/api/polls", "POST", {"title": "压力测试", "kind": "satisfaction"})["id"]
        http(url + f"/api/polls/{poll_id}/open", "POST", {})
        proc = ctx.Process(target=voters_main, args=(url, poll_id, n, concurrency, ready, go, results),
                           name="bench-voters", daemon=True)
        proc.start()
        connect_s = _wait_queue(app, ready, DEADLINE_S / 2)

        last = [time.perf_counter()]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        if explain:
            threading.Thread(target=_sample_stalls, args=(last, threading.main_thread().ident, stop_sampler,
                                                          stall_stacks), name="stall-sampler", daemon=True).start()
        heart = QTimer()
        heart.setTimerType(Qt.PreciseTimer)
        heart.timeout.connect(beat)
        heart.start(heartbeat_ms)
        t_go = time.monotonic()
        go.set()
        # The real event loop (as app.exec() in the control room), checked by a timer.
        loop = QEventLoop()
        shown: dict[str, float] = {}
        hard_end = time.monotonic() + DEADLINE_S / 2

        def watch() -> None:
            now = time.monotonic()
            if "all" not in shown and (window.votes.poll or {}).get("ballots") == n:
                shown["all"] = now - t_go
            if ("all" in shown and now - t_go > shown["all"] + 1.0) or now > hard_end:
                loop.quit()  # one more second of heartbeat after the last tally

        watcher = QTimer()
        watcher.timeout.connect(watch)
        watcher.start(50)
        loop.exec()
        watcher.stop()
        shown_all = shown.get("all")
        heart.stop()
        stop_sampler.set()
        voters = _wait_queue(app, results, 30)
        return {"stall_stacks": stall_stacks, "connect_s": connect_s, "voters": voters, "shown_all_s": shown_all, "gaps": gaps,
                "ballots_shown": (window.votes.poll or {}).get("ballots"), "ticks": window.tick_count}
    finally:
        if proc is not None and proc.is_alive():
            proc.terminate()
        if window is not None:
            window.close()
        if bridge is not None:
            bridge.stop()
        engine.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_queue(app, q, timeout: float):
    import queue

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        try:
            return q.get(timeout=0.02)
        except queue.Empty:
            pass
    raise TimeoutError("the voter process did not report in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=5000)
    parser.add_argument("--heartbeat-ms", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=100, help="voters connecting at the same time")
    parser.add_argument("--no-preview", action="store_true", help="leave the on-air preview out (to compare)")
    parser.add_argument("--explain", action="store_true", help="sample where the GUI thread is during stalls")
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold start measurement")
    parser.add_argument("--gc", choices=("gui", "auto"), default="gui",
                        help="gui: collect on a GUI-thread timer, as the apps do; auto: CPython's own (to compare)")
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        cold_child()
        return 0
    if not args.skip_cold:
        cold = cold_start()
        print(f"cold start: engine ready {cold['engine_s']:.2f} s, window shown {cold['window_s']:.2f} s, "
              f"usable (first state on screen) {cold['usable_s']:.2f} s")
    r = stall(args.votes, args.heartbeat_ms, args.concurrency, preview=not args.no_preview,
              explain=args.explain, gc_mode=args.gc)
    gaps_ms = [g * 1000 for g in r["gaps"]]
    stalls = [max(0.0, g - args.heartbeat_ms) for g in gaps_ms]
    print(f"voters: {args.votes} connected in {r['connect_s']:.1f} s; burst acknowledged "
          f"{r['voters']['ok']}/{args.votes} in {r['voters']['burst_s']:.2f} s "
          f"({r['voters']['ok'] / max(r['voters']['burst_s'], 1e-9):.0f} votes/s)")
    print(f"control room showed all {r['ballots_shown']} ballots "
          f"{r['shown_all_s']:.2f} s after the burst began" if r["shown_all_s"] else
          f"control room showed {r['ballots_shown']} ballots (not all) before the deadline")
    print(f"GUI heartbeat every {args.heartbeat_ms} ms, {len(gaps_ms)} beats: gap median "
          f"{statistics.median(gaps_ms):.1f} ms, p99 {sorted(gaps_ms)[int(len(gaps_ms) * 0.99)]:.1f} ms, "
          f"max {max(gaps_ms):.1f} ms → longest stall {max(stalls):.1f} ms (target ≤ 40 ms)")
    for where, count in sorted(r["stall_stacks"].items(), key=lambda kv: -kv[1])[:8]:
        print(f"  stalled ×{count}: {where}")
    return 0 if max(stalls) <= 40 and r["shown_all_s"] else 1


if __name__ == "__main__":
    sys.exit(main())
