"""A real full disk: the engine's database on a 3 MiB tmpfs, filled to the last byte.

Whatever SQLite manages to write into space it already holds may still commit; what must
hold is the invariant: a command answered 2xx is on disk, a command answered 503
`unavailable` changed nothing anywhere (and never a 500), /healthz says 503 while writes
fail, and after kill -9 the restarted engine shows exactly what was served before.
"""

import os
import subprocess
import uuid
from pathlib import Path

import pytest

MiB = 1024 * 1024


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'mount failed'}); needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path) -> Path:
    """Writes a file until the disk refuses even 512 bytes more."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (65536, 4096, 512):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def served(engine) -> tuple:
    status, state = engine.api("/api/state")
    assert status == 200
    _, polls = engine.api("/api/polls")
    _, questions = engine.api("/api/questions")
    return (state["segment"]["index"], state["show"]["status"], state["overlay"],
            [(p["id"], p["state"]) for p in polls["polls"]],
            [(q["id"], q["state"], q["text"]) for q in questions["questions"]])


def test_full_disk_a_refused_command_changes_nothing(engine, small_disk):
    e = engine(db=small_disk / "show.db")
    poll = e.open_poll("yesno")
    assert e.api("/api/control", "POST", {"action": "show.start"})[0] == 200
    filler = fill(small_disk)

    refused, last_ok_question = 0, 0
    attempts = [("/api/questions", {"text": "磁盘满了还能提问吗？" + uuid.uuid4().hex * 6})] * 40
    attempts += [("/api/control", {"action": "overlay.set", "element": "qr", "mode": "hide"}),
                 (f"/api/polls/{poll}/close", {}),
                 ("/api/control", {"action": "segment.next"})]
    for path, body in attempts:
        before = served(e)
        status, reply = e.api(path, "POST", body)
        assert status != 500, reply
        if status == 503:
            refused += 1
            assert reply["error"] == "unavailable", reply
            assert served(e) == before, f"{path} answered 503 but the show changed"
            health_status, health = e.api("/healthz", operator=False)
            assert health_status == 503 and health["ok"] is False and health["store"], health
        else:
            assert status in (200, 201), (path, status, reply)
            if path == "/api/questions":
                last_ok_question = reply["id"]
    assert refused, "the disk never filled: nothing was tested"
    print(f"full disk: {refused} of {len(attempts)} commands refused with 503, the rest committed")
    shown = served(e)
    e.proc.kill9()

    again = engine(db=small_disk / "show.db")
    assert served(again) == shown, "after kill -9 the show differs from what was served"
    os.unlink(filler)  # the crew frees space: the same requests now succeed, nothing was used up
    status, reply = again.api("/api/questions", "POST", {"text": "又能写了"})
    assert status == 201
    ids = [q[0] for q in shown[4]]
    assert reply["id"] == max(ids, default=0) + 1
    assert last_ok_question < reply["id"]
    assert again.api("/healthz", operator=False)[0] == 200
