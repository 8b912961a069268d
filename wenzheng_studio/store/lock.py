"""One engine per database: an exclusive lock held for the engine's life.

Two engines writing one show would each keep their own state in memory and overwrite each
other's records. The lock is released by the OS when the process dies (kill -9 included),
so a restart never finds a stale lock. The lock file also says who holds it and where it
listens, so a control room restarted after a crash can re-attach to the running show.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


class StoreLocked(RuntimeError):
    def __init__(self, path: Path, holder: dict):
        self.holder = holder
        where = f" at {holder['url']}" if holder.get("url") else ""
        super().__init__(f"the show in {path} is already run by another engine (pid {holder.get('pid', '?')}{where})")


def lock_path(db: Path) -> Path:
    db = db.resolve()  # a symlink to the show locks the show itself, not a file beside the link
    return db.with_name(db.name + ".lock")


def read_holder(db: Path) -> dict:
    try:
        return json.loads(lock_path(db).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


class EngineLock:
    def __init__(self, db: Path):
        self.db = db
        self.path = lock_path(db)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        self._db_fd: int | None = None
        try:
            _lock(self._fd)
            if fcntl is not None:
                # A hard link is the same show under another name: lock the database's inode
                # too (flock, which SQLite's own POSIX locks neither see nor disturb). The fd
                # stays open for the engine's life, so it never drops SQLite's locks early.
                self._db_fd = os.open(db.resolve(), os.O_RDWR | os.O_CREAT, 0o644)
                _lock(self._db_fd)
        except OSError:
            holder = read_holder(db)
            self._close()
            raise StoreLocked(db, holder) from None
        self.announce(url="")

    def announce(self, url: str) -> None:
        """Records who holds the lock and where it listens (read by read_holder)."""
        data = json.dumps({"pid": os.getpid(), "url": url}).encode()
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, data)

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
        self._close()  # closing releases the locks

    def _close(self) -> None:
        for name in ("_db_fd", "_fd"):
            fd = getattr(self, name)
            if fd is not None:
                os.close(fd)
                setattr(self, name, None)


def _lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
