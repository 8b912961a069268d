"""Refuse a damaged show database at start, before anything writes to it.

A truncated copy, a file that is not SQLite, or another program's database must stop the
engine with a message naming the file and what is wrong. Nothing here writes: the file is
opened read-only, so the evidence stays as it was for whoever repairs it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
# The tables every version of our schema has; a database without them is someone else's.
REQUIRED_TABLES = {"events", "ballots", "polls", "questions", "meta", "seats"}


class StoreDamaged(RuntimeError):
    def __init__(self, path: Path, what: str):
        self.path, self.what = path, what
        super().__init__(f"the show database {path} cannot be used: {what}. It was left as it is; "
                         f"restore it from a backup or start with another --db")


def check_database(path: Path, schema_versions: int) -> None:
    """Raises StoreDamaged unless `path` is absent, empty, or a sound show database."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return  # a new show (SQLite treats an empty file as an empty database)
    with open(path, "rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_HEADER):
        raise StoreDamaged(path, "it is not an SQLite database (its first bytes are not the SQLite header)")
    if len(header) < 100:
        raise StoreDamaged(path, f"it is truncated ({size} bytes, shorter than an SQLite header)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    wal = path.with_name(path.name + "-wal")
    if pages and size < pages * page_size and not (wal.exists() and wal.stat().st_size):
        raise StoreDamaged(path, f"it is truncated ({size} bytes; its header says {pages * page_size})")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreDamaged(path, f"SQLite cannot open it ({exc})") from None
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise StoreDamaged(path, "SQLite's integrity check failed: " + "; ".join(problems))
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreDamaged(path, f"SQLite cannot read it ({exc})") from None
    finally:
        conn.close()
    if version > schema_versions:
        raise StoreDamaged(path, f"its schema v{version} is newer than this program (v{schema_versions})")
    if version == 0 and tables:
        raise StoreDamaged(path, "it is another program's database (tables " + ", ".join(sorted(tables)[:5]) + ")")
    missing = REQUIRED_TABLES - tables
    if version > 0 and missing:
        raise StoreDamaged(path, "it lacks the show's tables " + ", ".join(sorted(missing)))
