"""The show's database: one engine per real file (links included), and a damaged one refused."""

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest

from wenzheng_studio.store import Store, StoreDamaged, StoreLocked


def serve(*args, timeout=20):
    return subprocess.run([sys.executable, "-m", "wenzheng_studio", "serve", "--host", "127.0.0.1",
                           "--port", "0", "--admin-token", "t", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_a_link_to_a_running_show_is_refused(tmp_path, link):
    held = Store(tmp_path / "show.db")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (os.symlink if link == "symlink" else os.link)(tmp_path / "show.db", other / "link.db")
    try:
        with pytest.raises(StoreLocked):
            Store(other / "link.db")
        result = serve("--db", str(other / "link.db"))
        assert result.returncode == 3, result.stderr
        assert "already run by another engine" in result.stderr
    finally:
        held.close()
    Store(other / "link.db").close()  # once released, the link opens the show as usual


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sound_show(path):
    store = Store(path)
    store.write_now([("event", 1.0, "test", {"x": 1}), ("meta", "show", {"order": {}})])
    store.close()


def _garbage(path):
    path.write_bytes(os.urandom(8192))


def _truncated(path):
    _sound_show(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def _another_program(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()


def _newer_schema(path):
    _sound_show(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("damage, words", [
    (_garbage, "not an SQLite database"),
    (_truncated, "truncated"),
    (_another_program, "another program's database"),
    (_newer_schema, "newer than this program"),
])
def test_a_damaged_database_is_refused_and_left_untouched(tmp_path, damage, words):
    db = tmp_path / "show.db"
    damage(db)
    before = _sha(db)
    with pytest.raises(StoreDamaged) as refused:
        Store(db)
    assert words in str(refused.value) and str(db) in str(refused.value)
    result = serve("--db", str(db))
    assert result.returncode == 4, result.stderr
    assert str(db) in result.stderr and words in result.stderr and "Traceback" not in result.stderr
    assert _sha(db) == before, "the damaged file must be kept exactly as it was"
    Store(tmp_path / "fresh.db").close()  # refusing one file leaves the lock machinery sound


def test_a_sound_show_and_a_new_one_open(tmp_path):
    _sound_show(tmp_path / "show.db")
    store = Store(tmp_path / "show.db")
    assert store.load().meta["show"] == {"order": {}}
    store.close()
    (tmp_path / "empty.db").write_bytes(b"")
    Store(tmp_path / "empty.db").close()
