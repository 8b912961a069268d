"""Schema v5: 评议代表库 — a v4 database gains the pool and draws tables, its seats untouched;
an import replaces the pool whole in one transaction, draws are kept."""

import sqlite3

import sqlite_utils

from wenzheng_studio.store import Store
from wenzheng_studio.store.schema import MIGRATIONS


def test_a_v4_database_upgrades_and_the_pool_is_replaced_whole(tmp_path):
    path = tmp_path / "show.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    for migration in MIGRATIONS[:4]:
        migration(db)
    db.execute("PRAGMA user_version = 4")
    db.execute("INSERT INTO seats (seat, venue, key, t, signed_in) VALUES ('main-001', 'main', 'k', 1.0, 2.0)")
    db.conn.commit()
    db.conn.close()

    store = Store(path)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 5
        person = {"name": "张三", "sector": "市民代表", "phone": "", "note": ""}
        store.write_now([("pool", [person, {**person, "name": "李四"}], {"size": 2})])
        store.write_now([("pool", [{**person, "name": "王五"}], {"size": 1}), ("draw", 1, {"id": 1, "seed": "7"})])
        snap = store.load()
        assert [p["name"] for p in snap.pool] == ["王五"] and snap.meta["pool"] == {"size": 1}
        assert snap.draws == [{"id": 1, "seed": "7"}] and snap.signed_in == {"main-001": ("main", 2.0)}
    finally:
        store.close()
