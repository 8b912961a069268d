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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_embedded_engine_takes_host_port_and_public_url(tmp_path):
    """`wenzheng-studio --host H --port P --public-url U`: passed to the child `serve` as given."""
    import json
    import urllib.request

    from wenzheng_studio.cli import build_parser
    from wenzheng_studio.ui.launch import embedded_engine

    port = _free_port()
    args = build_parser().parse_args(["--host", "127.0.0.1", "--port", str(port), "--public-url",
                                      "https://vote.example.test", "--db", str(tmp_path / "show.db")])
    engine = embedded_engine(args)
    assert (engine.host, engine.port, engine.public_url, engine.any_port) == \
        ("127.0.0.1", port, "https://vote.example.test", False)
    url = engine.start()
    try:
        assert url == f"http://127.0.0.1:{port}"
        cmd = engine._command(port)
        assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and cmd[cmd.index("--public-url") + 1] == "https://vote.example.test"
        with urllib.request.urlopen(url + "/api/scene", timeout=10) as r:
            assert json.loads(r.read())["vote_url"].startswith("https://vote.example.test/")
        # A port asked for by name that is taken is an error, not a silent other port.
        taken = EmbeddedEngine(db=str(tmp_path / "other.db"), host="127.0.0.1", port=port, any_port=False)
        try:
            taken.start(timeout=15)
            raise AssertionError("started on a taken port")
        except RuntimeError:
            pass
        finally:
            taken.stop()
    finally:
        engine.stop()


def test_the_default_embedded_engine_listens_everywhere_on_8765():
    from wenzheng_studio.cli import build_parser
    from wenzheng_studio.ui.launch import embedded_engine

    engine = embedded_engine(build_parser().parse_args([]))
    assert (engine.host, engine.port, engine.public_url, engine.any_port) == ("0.0.0.0", 8765, None, True)
    assert "--public-url" not in engine._command(8765)


def test_the_desktop_app_passes_its_osc_options_to_its_engine(tmp_path):
    """`wenzheng-studio --osc-port N --osc-feedback H:P`: the embedded engine takes the surface's presses."""
    import json
    import socket
    import time
    import urllib.request

    from pythonosc.udp_client import SimpleUDPClient

    from wenzheng_studio.cli import build_parser
    from wenzheng_studio.ui.launch import embedded_engine

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        osc_port = s.getsockname()[1]
    args = build_parser().parse_args(["--host", "127.0.0.1", "--port", "0", "--db", str(tmp_path / "show.db"),
                                      "--osc-port", str(osc_port), "--osc-feedback", "127.0.0.1:9"])
    engine = embedded_engine(args)
    assert engine.extra_args == ["--osc-port", str(osc_port), "--osc-host", "127.0.0.1",
                                 "--osc-feedback", "127.0.0.1:9"]
    url = engine.start()
    try:
        SimpleUDPClient("127.0.0.1", osc_port).send_message("/wenzheng/take", [])
        deadline = time.monotonic() + 5
        while True:
            with urllib.request.urlopen(url + "/api/state", timeout=5) as r:
                if json.loads(r.read())["show"]["status"] == "live":
                    break
            assert time.monotonic() < deadline, "the OSC take never reached the embedded engine"
            time.sleep(0.05)
    finally:
        engine.stop()
