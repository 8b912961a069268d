"""The control room's own engine: started once per show; a restarted window re-attaches."""

from wenzheng_studio.client import EmbeddedEngine


def test_a_second_launcher_attaches_to_the_running_show(tmp_path):
    first = EmbeddedEngine(db=str(tmp_path / "show.db"), port=0, host="127.0.0.1")
    url = first.start()
    try:
        assert not first.attached and len(first.admin_token) >= 32  # kept beside the db
        second = EmbeddedEngine(db=str(tmp_path / "show.db"), port=0, host="127.0.0.1")
        assert second.start() == url and second.attached
        assert second.admin_token == first.admin_token
        second.stop()  # leaves the show running: it did not start it
        assert first.alive() and first.running_engine() == url
    finally:
        first.stop()
    assert first.running_engine() is None
