"""The store: an append-only event and ballot log plus current records, with group commit.

All writes go through one writer thread. Callers submit a list of operations and await
a future that resolves only after the transaction holding them has committed (with
synchronous=FULL: on disk). Whatever arrives while a commit is running is committed
together in the next transaction, so durability costs one fsync per batch, not per vote.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from .integrity import check_database
from .lock import EngineLock
from .schema import MIGRATIONS, migrate

log = logging.getLogger(__name__)
_STOP = object()
MAX_BATCH = 5000

Op = tuple  # ("event", t, kind, data) | ("ballot", poll, voter, grp, venue, choice, t) | ("poll"|"question", id, data)
            # | ("meta", key, value) | ("seat", seat, venue, key, t) | ("seat_signin", seat, t)
            # | ("pool", [person dicts], info) | ("draw", id, data)


@dataclass
class Snapshot:
    meta: dict[str, Any] = field(default_factory=dict)
    polls: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    operators: list[dict] = field(default_factory=list)
    ballots: list[tuple] = field(default_factory=list)
    seats: dict[str, tuple[str, str]] = field(default_factory=dict)  # seat -> (venue, key)
    signed_in: dict[str, tuple[str, float]] = field(default_factory=dict)  # seat -> (venue, first opened)
    pool: list[dict] = field(default_factory=list)  # 评议代表库, in canonical order
    draws: list[dict] = field(default_factory=list)  # every draw from it, oldest first


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        self.lock: EngineLock | None = None
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.lock = EngineLock(Path(self.path))  # StoreLocked if another engine runs this show
            try:
                check_database(Path(self.path), len(MIGRATIONS))  # StoreDamaged: refused, left untouched
            except BaseException:
                self.lock.release()
                raise
        self._conn = _connect(self.path)
        self.db = sqlite_utils.Database(self._conn)
        migrate(self.db)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.commits = 0
        self.ops_written = 0
        self.failures = 0
        self.last_error: str | None = None  # the last write's failure, until a write commits again

    # --- reading (start-up and exports) ------------------------------------------------
    def load(self) -> Snapshot:
        """The show as stored (at start-up, before the writer runs)."""
        return self._load(self.db)

    def read_back(self) -> Snapshot:
        """The show as committed, read on a connection of its own (safe while the writer runs)."""
        if self.path == ":memory:":  # tests: one connection is all there is (SQLite serialises its use)
            return self._load(self.db)
        reader = sqlite_utils.Database(_connect(self.path))
        try:
            return self._load(reader)
        finally:
            reader.conn.close()

    @staticmethod
    def _load(db: sqlite_utils.Database) -> Snapshot:
        snap = Snapshot()
        for row in db["meta"].rows:
            snap.meta[row["key"]] = json.loads(row["value"])
        snap.polls = [json.loads(r["data"]) for r in db["polls"].rows_where(order_by="id")]
        snap.questions = [json.loads(r["data"]) for r in db["questions"].rows_where(order_by="id")]
        snap.operators = [json.loads(r["data"]) for r in db["operators"].rows_where(order_by="id")]
        snap.ballots = [tuple(r) for r in db.execute(
            "SELECT poll, voter, grp, venue, choice FROM ballots ORDER BY rowid")]
        snap.seats = {r["seat"]: (r["venue"], r["key"]) for r in db["seats"].rows}
        snap.signed_in = {r["seat"]: (r["venue"], r["signed_in"]) for r in db["seats"].rows
                          if r.get("signed_in") is not None}
        snap.pool = [{k: r[k] for k in ("name", "sector", "phone", "note")}
                     for r in db["representatives"].rows_where(order_by="row")]
        snap.draws = [json.loads(r["data"]) for r in db["draws"].rows_where(order_by="id")]
        return snap

    def ballots(self, poll_id: int) -> list[dict[str, Any]]:
        reader = sqlite_utils.Database(_connect(self.path))
        try:
            return list(reader["ballots"].rows_where("poll = ?", [poll_id], order_by="t, rowid"))
        finally:
            reader.conn.close()

    def events(self, since: int = 0) -> list[dict[str, Any]]:
        reader = sqlite_utils.Database(_connect(self.path))
        try:
            return [dict(r, data=json.loads(r["data"])) for r in reader["events"].rows_where("seq > ?", [since], order_by="seq")]
        finally:
            reader.conn.close()

    # --- writing ---------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    def write(self, ops: list[Op]) -> asyncio.Future:
        """Queue ops for the next commit; the future resolves once they are durable."""
        assert self._loop is not None, "Store.start() first"
        fut = self._loop.create_future()
        self._queue.put((ops, fut))
        return fut

    def write_now(self, ops: list[Op]) -> None:
        """Synchronous write for start-up and tools (not while the writer thread runs)."""
        with self._transaction():
            self._apply(ops)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=10)
            self._thread = None
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:  # another process may hold it; WAL replays on next open anyway
            pass
        self._conn.close()
        if self.lock is not None:
            self.lock.release()

    def _transaction(self):
        conn = self._conn

        class _Tx:
            def __enter__(self_inner):
                conn.execute("BEGIN IMMEDIATE")

            def __exit__(self_inner, exc_type, exc, tb):
                try:
                    if exc_type is None:
                        conn.execute("COMMIT")
                        return False
                except BaseException:
                    _rollback(conn)  # a failed COMMIT (disk full) leaves the transaction open
                    raise
                _rollback(conn)
                return False

        return _Tx()

    def _apply(self, ops: Iterable[Op]) -> None:
        ex = self._conn.execute
        for op in ops:
            kind = op[0]
            if kind == "ballot":
                ex("INSERT INTO ballots (poll, voter, grp, venue, choice, t, addr) VALUES (?, ?, ?, ?, ?, ?, ?)", (*op[1:7], op[7] if len(op) > 7 else ""))  # addr optional: older 7-field ops
            elif kind == "event":
                ex("INSERT INTO events (t, kind, data) VALUES (?, ?, ?)", (op[1], op[2], _dumps(op[3])))
            elif kind in ("poll", "question", "operator"):
                ex(f"INSERT OR REPLACE INTO {kind}s (id, data) VALUES (?, ?)", (op[1], _dumps(op[2])))
            elif kind == "meta":
                ex("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (op[1], _dumps(op[2])))
            elif kind == "seat":
                ex("INSERT INTO seats (seat, venue, key, t) VALUES (?, ?, ?, ?)", op[1:])
            elif kind == "pool":  # the whole pool replaced, in the same transaction as its meta
                ex("DELETE FROM representatives")
                self._conn.executemany(
                    "INSERT INTO representatives (row, name, sector, phone, note) VALUES (?, ?, ?, ?, ?)",
                    [(i, p["name"], p["sector"], p["phone"], p["note"]) for i, p in enumerate(op[1])])
                ex("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", ("pool", _dumps(op[2])))
            elif kind == "draw":
                ex("INSERT OR REPLACE INTO draws (id, data) VALUES (?, ?)", (op[1], _dumps(op[2])))
            elif kind == "seat_signin":  # the first time only
                ex("UPDATE seats SET signed_in = ? WHERE seat = ? AND signed_in IS NULL", (op[2], op[1]))
            else:
                raise ValueError(f"unknown store op {kind!r}")

    def _run(self) -> None:
        stop = False
        while not stop:
            batch = [self._queue.get()]
            n = len(batch[0][0]) if batch[0] is not _STOP else 0
            while n < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                batch.append(item)
                if item is not _STOP:
                    n += len(item[0])
            if _STOP in batch:
                stop = True
                batch = [b for b in batch if b is not _STOP]
            if batch:
                try:
                    self._commit(batch)
                except BaseException as exc:  # never let one batch end the writer: the show needs the next
                    log.exception("store writer: a batch could not be handled")
                    self._failed(repr(exc))
                    self._resolve([(fut, exc) for _, fut in batch])

    def _commit(self, batch: list) -> None:
        results: list[tuple[asyncio.Future, BaseException | None]] = []
        try:
            with self._transaction():
                for ops, _ in batch:
                    self._apply(ops)
            results = [(fut, None) for _, fut in batch]
            self.commits += 1
            self.ops_written += sum(len(ops) for ops, _ in batch)
            self.last_error = None
        except Exception:
            # One bad submission must not fail its neighbours: retry each on its own.
            log.exception("group commit failed; retrying submissions one by one")
            for ops, fut in batch:
                try:
                    with self._transaction():
                        self._apply(ops)
                    results.append((fut, None))
                    self.commits += 1
                    self.ops_written += len(ops)
                except Exception as exc:
                    log.error("store write failed (%s): %d operation(s) not written", exc, len(ops))
                    self._failed(f"{type(exc).__name__}: {exc}")
                    results.append((fut, exc))
            if all(exc is None for _, exc in results):
                self.last_error = None
        self._resolve(results)

    def _failed(self, reason: str) -> None:
        self.last_error = reason
        self.failures += 1

    def _resolve(self, results: list) -> None:
        try:
            self._loop.call_soon_threadsafe(_resolve_all, results)
        except RuntimeError:  # loop already closed at shutdown: nobody is waiting
            pass

    # --- health ----------------------------------------------------------------------
    def health(self) -> str | None:
        """None when the writer is alive and its last write committed; else what is wrong."""
        if self._thread is not None and not self._thread.is_alive():
            return "the store writer has stopped"
        if self.last_error is not None:
            return f"the last write failed: {self.last_error}"
        return None


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        log.exception("rollback failed")


def _resolve_all(results) -> None:
    for fut, exc in results:
        if fut.done():
            continue
        if exc is None:
            fut.set_result(None)
        else:
            fut.set_exception(exc)
