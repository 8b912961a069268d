"""Schema and migrations, versioned with PRAGMA user_version."""

from __future__ import annotations

import sqlite_utils

# Each migration moves the database up one version. Append, never edit a shipped one.
MIGRATIONS = [
    lambda db: (
        db["events"].create({"seq": int, "t": float, "kind": str, "data": str}, pk="seq", if_not_exists=True),
        db["ballots"].create(
            {"poll": int, "voter": str, "grp": str, "venue": str, "choice": str, "t": float},
            pk=("poll", "voter"), if_not_exists=True),
        db["polls"].create({"id": int, "data": str}, pk="id", if_not_exists=True),
        db["questions"].create({"id": int, "data": str}, pk="id", if_not_exists=True),
        db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True),
        db["seats"].create({"seat": str, "venue": str, "key": str, "t": float}, pk="seat", if_not_exists=True),
    ),
    # v2: the voter's network address with each ballot, for the audit's stuffing checks
    # (ballots per address, bursts). '' for ballots from before v2 and through a secondary.
    lambda db: db.execute("ALTER TABLE ballots ADD COLUMN addr TEXT NOT NULL DEFAULT ''"),
    # v3: the crew (operators, roles, token hashes), kept like polls and questions
    lambda db: db["operators"].create({"id": int, "data": str}, pk="id", if_not_exists=True),
    # v4: when a seat's link was first opened (听证评议: the representatives attending); NULL = never
    lambda db: db.execute("ALTER TABLE seats ADD COLUMN signed_in REAL"),
    # v5: 评议代表库 — the representatives' pool (replaced whole by each import) and every draw
    # from it (append-only: a re-draw adds a record, the notary sees them all)
    lambda db: (
        db["representatives"].create({"row": int, "name": str, "sector": str, "phone": str, "note": str},
                                     pk="row", if_not_exists=True),
        db["draws"].create({"id": int, "data": str}, pk="id", if_not_exists=True),
    ),
]


def migrate(db: sqlite_utils.Database) -> int:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise RuntimeError(f"database schema v{version} is newer than this program (v{len(MIGRATIONS)})")
    for v in range(version, len(MIGRATIONS)):
        with db.conn:
            MIGRATIONS[v](db)
            db.execute(f"PRAGMA user_version = {v + 1}")
    return len(MIGRATIONS)
