"""How fast a Stream Deck button acts: OSC press → the feedback that shows its effect, and a
flood of bad datagrams while presses keep working. Real `serve` subprocess, 127.0.0.1 only.

    python bench/osc_latency.py [--presses 40]
"""

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pythonosc.dispatcher import Dispatcher  # noqa: E402
from pythonosc.osc_server import ThreadingOSCUDPServer  # noqa: E402
from pythonosc.udp_client import SimpleUDPClient  # noqa: E402

from conftest import EngineProcess  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=40)
    opts = parser.parse_args()
    arrivals: list[tuple[float, str, tuple]] = []
    lock = threading.Lock()

    def record(address, *args):
        with lock:
            arrivals.append((time.monotonic(), address, args))

    dispatcher = Dispatcher()
    dispatcher.set_default_handler(record)
    companion = ThreadingOSCUDPServer(("127.0.0.1", 0), dispatcher)
    threading.Thread(target=companion.serve_forever, daemon=True).start()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        osc_port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        ep = EngineProcess(db=Path(tmp) / "show.db", token="bench-token",
                           extra=("--osc-port", str(osc_port), "--osc-feedback", f"127.0.0.1:{companion.server_address[1]}"))
        ep.start()
        try:
            client = SimpleUDPClient("127.0.0.1", osc_port)
            client.send_message("/wenzheng/take", [])
            client.send_message("/wenzheng/speaker/next", [])
            time.sleep(1)
            client.send_message("/wenzheng/timer/toggle", [])  # paused: only presses change the number
            time.sleep(0.5)
            latencies = []
            for i in range(opts.presses):
                with lock:
                    last = next((a[0] for t, ad, a in reversed(arrivals) if ad == "/wenzheng/timer/remaining"), 0)
                sent = time.monotonic()
                client.send_message("/wenzheng/timer/add", [10])
                deadline = sent + 3
                while time.monotonic() < deadline:
                    with lock:
                        hit = next((t for t, ad, a in arrivals if t > sent and ad == "/wenzheng/timer/remaining"
                                    and a[0] >= last + 10), None)
                    if hit:
                        latencies.append(hit - sent)
                        break
                    time.sleep(0.002)
                time.sleep(0.5)  # presses at a brisk human pace (2 a second)
            latencies.sort()
            print(f"press → feedback over {len(latencies)} presses: median {1000 * statistics.median(latencies):.0f} ms, "
                  f"p95 {1000 * latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms, max {1000 * latencies[-1]:.0f} ms")

            # A flood of garbage: the listener drops it at the door and a press still works.
            junk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            t0 = time.monotonic()
            for _ in range(20000):
                junk.sendto(b"\x00garbage", ("127.0.0.1", osc_port))
            flood_s = time.monotonic() - t0
            for delay in (0.0, 0.2):
                time.sleep(delay)
                with lock:
                    last = next((a[0] for t, ad, a in reversed(arrivals) if ad == "/wenzheng/timer/remaining"), 0)
                sent = time.monotonic()
                client.send_message("/wenzheng/timer/add", [10])
                ok = False
                while time.monotonic() < sent + 3 and not ok:
                    with lock:
                        ok = any(t > sent and ad == "/wenzheng/timer/remaining" and a[0] >= last + 10
                                 for t, ad, a in arrivals)
                    time.sleep(0.002)
                print(f"  a press {delay:.1f} s after the flood: "
                      f"{'reached the feedback in %.0f ms' % (1000 * (time.monotonic() - sent)) if ok else 'LOST (UDP: dropped in the kernel buffer)'}")
            ep.stop()
            log = ep.proc.stderr.read()
            print(f"log lines about refusals: {sum('refused' in line for line in log.splitlines())}")
        finally:
            ep.kill()
            companion.shutdown()


if __name__ == "__main__":
    main()
