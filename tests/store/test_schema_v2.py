"""Schema v2: ballots keep the voter's address; a v1 database upgrades in place."""

import sqlite3

import sqlite_utils

from wenzheng_studio.store import Store
from wenzheng_studio.store.schema import MIGRATIONS


def test_a_v1_database_gains_the_addr_column_with_old_ballots_blank(tmp_path):
    path = tmp_path / "show.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO ballots (poll, voter, grp, venue, choice, t) VALUES (1, 't:a', 'remote', 'remote', 'yes', 1.0)")
    db.conn.commit()
    db.conn.close()

    store = Store(path)
    try:
        store.write_now([("ballot", 1, "t:b", "remote", "remote", "no", 2.0, "10.0.0.7"),
                         ("ballot", 1, "t:c", "remote", "remote", "no", 3.0)])  # an op without addr still works
        assert [(b["voter"], b["addr"]) for b in store.ballots(1)] == [("t:a", ""), ("t:b", "10.0.0.7"), ("t:c", "")]
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 2
    finally:
        store.close()
