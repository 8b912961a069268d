from pathlib import Path

import pytest
from harness import ServerProcess, engine_argv, http  # bench/ (on the path: tests/conftest.py)

ADMIN = "fault-admin"


class Engine:
    """A real `wenzheng-studio serve` child on a database that outlives it."""

    admin = ADMIN

    def __init__(self, db: Path, *extra: str):
        self.db, self.extra = db, extra
        self.proc: ServerProcess | None = None

    def start(self) -> "Engine":
        self.proc = ServerProcess(engine_argv(self.db, ADMIN, *self.extra))
        return self

    @property
    def url(self) -> str:
        return self.proc.url

    def api(self, path: str, method: str = "GET", body=None, operator: bool = True):
        return http(self.url + path, method, body, ADMIN if operator else None)

    def open_poll(self, kind: str = "satisfaction") -> int:
        status, body = self.api("/api/polls", "POST", {"title": "fault", "kind": kind})
        assert status == 201, body
        status, view = self.api(f"/api/polls/{body['id']}/open", "POST", {})
        assert status == 200 and view["state"] == "open", view
        return body["id"]

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()


@pytest.fixture
def engine(tmp_path):
    engines: list[Engine] = []

    def make(*extra: str, db: Path | None = None) -> Engine:
        e = Engine(db or tmp_path / "show.db", *extra).start()
        engines.append(e)
        return e

    yield make
    for e in engines:
        e.stop()
