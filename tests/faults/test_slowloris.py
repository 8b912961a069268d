"""Slowloris (issue #11): 1,500 connections that send half a request and idle neither starve
the engine of file descriptors nor keep phones out, and the engine closes them at ~10 s.

The engine starts with a soft open-files limit of 1,024 (a common default), so this also
proves `serve` raises it: without that it could not even accept these sockets."""

from __future__ import annotations

import re
import resource
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import socketio
from harness import raise_fd_limit  # bench/ (on the path: tests/conftest.py)

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[2]
ADMIN = "slowloris-admin"
SOCKETS = 1500
HEADER_TIMEOUT_S = 10.0
PARTIALS = [b"GET /api/sta",                                          # half a request line
            b"POST /api/voter HTTP/1.1\r\nHost: x\r\nUser-Agent: sl",  # half the headers
            b"GET /vote HTTP/1.1\r\nHost: x\r\n"]                      # headers, never the blank line


def start_engine(db: Path) -> tuple[subprocess.Popen, str]:
    def low_soft_limit():  # in the child, before exec: what a stock Linux login gives
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    proc = subprocess.Popen([sys.executable, "-m", "wenzheng_studio", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--db", str(db), "--admin-token", ADMIN, "--voter-token-rate", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            preexec_fn=low_soft_limit)
    line = proc.stdout.readline()
    m = re.search(r"listening on (http://\S+)", line)
    if not m:
        proc.kill()
        raise RuntimeError("engine did not start: " + proc.stderr.read())
    return proc, m.group(1)


def wait_closed(socks: dict[socket.socket, float], deadline: float) -> dict[socket.socket, float]:
    """Seconds each socket lived (from its last send) until the server closed it."""
    poller = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    lived: dict[socket.socket, float] = {}
    while len(lived) < len(socks) and time.monotonic() < deadline:
        for fd, _ in poller.poll(100):
            s = by_fd[fd]
            try:
                data = s.recv(4096)
            except ConnectionError:
                data = b""
            if not data:
                lived[s] = time.monotonic() - socks[s]
                poller.unregister(fd)
    return lived


def test_half_sent_requests_are_closed_and_phones_still_vote(tmp_path):
    soft = raise_fd_limit()  # this test holds 1,500 sockets itself
    if soft < SOCKETS + 500:
        pytest.skip(f"needs {SOCKETS + 500} open files, the hard limit here is {soft}")
    proc, url = start_engine(tmp_path / "show.db")
    idle: dict[socket.socket, float] = {}
    phone = socketio.Client(reconnection=False)
    try:
        auth = {"Authorization": f"Bearer {ADMIN}"}
        poll = requests.post(url + "/api/polls", json={"title": "慢速攻击", "kind": "yesno"}, headers=auth,
                             timeout=5).json()["id"]
        requests.post(url + f"/api/polls/{poll}/open", headers=auth, timeout=5).raise_for_status()
        host, port = url.split("//")[1].split(":")
        # A kept-alive connection: one whole request answered, then half of the next one.
        kept = socket.create_connection((host, int(port)))
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert kept.recv(4096).startswith(b"HTTP/1.1 200")
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        idle[kept] = time.monotonic()
        t0 = time.monotonic()
        for n in range(SOCKETS):
            s = socket.create_connection((host, int(port)), timeout=5)
            s.sendall(PARTIALS[n % len(PARTIALS)])
            idle[s] = time.monotonic()
        opened_s = time.monotonic() - t0

        # A phone, while all of them are open: voter token, Socket.IO, a vote.
        t1 = time.monotonic()
        token = requests.post(url + "/api/voter", timeout=5).json()["token"]
        phone.connect(url, namespaces=["/audience"], auth={"token": token}, transports=["websocket"],
                      wait_timeout=5)
        assert phone.call("vote", {"poll": poll, "choice": "yes"}, namespace="/audience", timeout=5) == {"ok": True}
        phone_s = time.monotonic() - t1
        assert phone_s < 3.0, f"the phone took {phone_s:.1f} s"

        lived = wait_closed(idle, deadline=time.monotonic() + HEADER_TIMEOUT_S + 4)
        assert len(lived) == len(idle), f"{len(idle) - len(lived)} of {len(idle)} half-sent requests still open"
        times = sorted(lived.values())
        # They live out the deadline (an earlier close would be something else) and no more.
        assert HEADER_TIMEOUT_S - 0.5 <= times[0] and times[-1] <= HEADER_TIMEOUT_S + 2.0, (times[0], times[-1])
        assert HEADER_TIMEOUT_S - 0.5 <= lived[kept] <= HEADER_TIMEOUT_S + 2.0, lived[kept]
        print(f"\n{SOCKETS} sockets opened in {opened_s:.2f} s; phone token+connect+vote {phone_s:.2f} s; "
              f"closed after {times[0]:.2f}–{times[-1]:.2f} s (median {times[len(times) // 2]:.2f} s); "
              f"kept-alive one after {lived[kept]:.2f} s")

        # The phone's WebSocket (headers long complete) outlived the deadline and still works.
        assert phone.connected
        assert phone.call("vote", {"poll": poll, "choice": "no"}, namespace="/audience", timeout=5) == {
            "ok": False, "error": "duplicate"}
    finally:
        phone.disconnect()
        for s in idle:
            s.close()
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    log = proc.stderr.read()
    assert re.search(r"open files: soft limit 1024 -> \d+", log), log[-2000:]
    print(re.search(r"open files: .*", log).group(0))
