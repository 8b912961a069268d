"""What a rejected request must not change: the durable record and the operator's view."""

import hashlib
import sqlite3

# Things that happen by themselves as time passes, not because of a request.
SPONTANEOUS = ("timer.cut",)


def digest(live) -> str:
    durable = getattr(live, "primary", live)  # a secondary keeps no database: its primary's is the record
    conn = sqlite3.connect(f"file:{durable.server.db_path}?mode=ro", uri=True)
    try:
        rows = [
            conn.execute("SELECT count(*) FROM events WHERE kind NOT IN (?) AND data NOT LIKE '%\"auto\": true%'"
                         " AND data NOT LIKE '%\"auto\":true%'", SPONTANEOUS).fetchone(),
            conn.execute("SELECT count(*), group_concat(voter || choice) FROM ballots").fetchone(),
            conn.execute("SELECT group_concat(data) FROM (SELECT data FROM polls ORDER BY id)").fetchone(),
            conn.execute("SELECT group_concat(data) FROM (SELECT data FROM questions ORDER BY id)").fetchone(),
            conn.execute("SELECT count(*) FROM seats").fetchone(),
            conn.execute("SELECT count(*), group_concat(name || sector) FROM representatives").fetchone(),
            conn.execute("SELECT group_concat(data) FROM (SELECT data FROM draws ORDER BY id)").fetchone(),
        ]
    finally:
        conn.close()
    show = live.server.engine.show
    memory = (sorted((p.id, p.state, p.ballots, p.revealed) for p in show.polls.values()),
              sorted((q.id, q.state) for q in show.questions.values()),
              show.order.to_dict(), show.current_poll_id, show.on_air_question_id, len(live.server.engine.seats))
    return hashlib.sha256(repr((rows, memory)).encode()).hexdigest()
