"""X-Forwarded-For counts only from a proxy named with `serve --trusted-proxy` (issue #11).

uvicorn's default trusts the header from 127.0.0.1, so a client on the engine's own PC could
name a fresh address on every request and take voter tokens past `--voter-token-rate`."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
import requests

pytestmark = pytest.mark.timeout(60)
RATE = 3  # voter tokens per address per minute


def post(ep, path, forged, body=None):
    return requests.post(ep.url + path, json=body, headers={"X-Forwarded-For": forged}, timeout=10).status_code


@pytest.fixture
def engine_with(engine_process, tmp_path):
    engines = []

    def start(*extra):
        ep = dataclasses.replace(engine_process, db=tmp_path / f"e{len(engines)}.db", port=0, proc=None, url="",
                                 extra=("--voter-token-rate", str(RATE), *extra))  # overrides conftest's 0
        engines.append(ep)
        ep.start()
        return ep

    yield start
    for ep in engines:
        ep.kill()


def test_a_forged_header_is_ignored_without_trusted_proxy(engine_with):
    ep = engine_with()
    codes = [post(ep, "/api/voter", f"203.0.113.{n}") for n in range(RATE + 2)]
    assert codes == [200] * RATE + [429, 429]  # one bucket: the socket's address, 127.0.0.1
    questions = [post(ep, "/api/questions", f"198.51.100.{n}", {"text": f"问题 {n}"}) for n in range(11)]
    assert questions == [201] * 10 + [429]  # web questions: 10 per address per minute


def test_the_header_names_the_client_behind_a_trusted_proxy(engine_with):
    ep = engine_with("--trusted-proxy", "10.9.9.9,127.0.0.1")
    assert [post(ep, "/api/voter", "203.0.113.7") for _ in range(RATE + 1)] == [200] * RATE + [429]
    assert post(ep, "/api/voter", "203.0.113.8") == 200  # another phone behind the proxy: its own bucket
    # nginx appends the address it saw: the client is the last untrusted hop, not a forged first one
    assert post(ep, "/api/voter", "1.2.3.4, 203.0.113.7") == 429


def test_a_mistyped_proxy_address_is_refused_at_start(tmp_path):
    result = subprocess.run([sys.executable, "-m", "wenzheng_studio", "serve", "--port", "0", "--db",
                             str(tmp_path / "s.db"), "--trusted-proxy", "10.0.0.1,nginx.local"],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 2 and "'nginx.local' is not an IP address or network" in result.stderr
