"""The store's writer thread outlives any one bad batch, and says when its last write failed."""

import asyncio

import pytest

from wenzheng_studio.store import Store


def _event(text: str) -> tuple:
    return ("event", 1.0, "test", {"text": text})


@pytest.mark.parametrize("bad", [
    _event("a \ud800 b"),  # a lone surrogate: UnicodeEncodeError, not an sqlite3.Error
    ("no-such-op",),  # ValueError from _apply
    ("meta", "k", object()),  # TypeError from json
    ("question", "not-an-int", {"x": 1}),  # a type SQLite takes, so this one is stored: must not break anything
])
def test_a_bad_batch_fails_alone_and_the_next_one_is_written(tmp_path, bad):
    store = Store(tmp_path / "s.db")

    async def go():
        store.start(asyncio.get_running_loop())
        results = await asyncio.wait_for(asyncio.gather(store.write([bad]), store.write([_event("neighbour")]),
                                                        return_exceptions=True), 10)
        # A dead writer never answers: wait_for turns that into a failure instead of a hang.
        after = await asyncio.wait_for(asyncio.gather(store.write([_event("after")]), return_exceptions=True), 10)
        return results, after

    (first, neighbour), after = asyncio.run(go())
    assert neighbour is None, "a good submission in the same batch must still be written"
    assert after == [None], "the writer must write the next batch"
    assert store._thread.is_alive()
    assert store.health() is None, "a commit after the failure clears the health flag"
    store.close()
    kinds = [e["data"].get("text") for e in Store(tmp_path / "s.db").events()]
    assert "neighbour" in kinds and "after" in kinds


def test_health_reports_the_failed_write_until_a_write_commits(tmp_path):
    store = Store(tmp_path / "s.db")

    async def go():
        store.start(asyncio.get_running_loop())
        with pytest.raises(UnicodeEncodeError):
            await store.write([_event("\udfff")])
        failing = store.health()
        await store.write([_event("fine")])
        return failing, store.health()

    failing, healed = asyncio.run(go())
    store.close()
    assert failing is not None and "UnicodeEncodeError" in failing
    assert healed is None


def test_a_failed_commit_leaves_no_transaction_open(tmp_path):
    """COMMIT failing (disk full) must roll back; else every later BEGIN fails for ever."""
    store = Store(tmp_path / "s.db")
    conn = store._conn

    class CommitFails:
        """Wraps the connection: the first COMMIT raises as SQLite does when the disk is full."""
        failed = False

        def execute(self, sql, *args):
            if sql == "COMMIT" and not self.failed:
                self.failed = True
                import sqlite3
                raise sqlite3.OperationalError("database or disk is full")
            return conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(conn, name)

    store._conn = CommitFails()

    async def go():
        store.start(asyncio.get_running_loop())
        first = await asyncio.gather(store.write([_event("lost")]), return_exceptions=True)
        await store.write([_event("kept")])
        return first

    first = asyncio.run(go())
    store._conn = conn
    assert not conn.in_transaction
    store.close()
    texts = [e["data"].get("text") for e in Store(tmp_path / "s.db").events()]
    assert "kept" in texts
    assert isinstance(first[0], Exception) or "lost" in texts  # the retry may have committed it: never both lost
