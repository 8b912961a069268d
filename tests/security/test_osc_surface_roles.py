"""The OSC control surface obeys the permission table: a press runs as its actor and is
checked like the same action over HTTP (403 forbidden, nothing changed), and datagrams
the engine refuses leave it fully working (prove_alive)."""

import time

from pythonosc.udp_client import SimpleUDPClient

from wenzheng_studio.core.operators import CONTROL_SURFACE, GRAPHICS, Actor
from wenzheng_studio.server.osc_surface import OscSurface


def surface_on(live, actor):
    osc = OscSurface(live.server.engine, "127.0.0.1", 0, actor=actor)
    live.run(osc.start())
    return osc


def settle(osc, count, timeout=5.0):
    deadline = time.monotonic() + timeout
    while osc.done + osc.refused < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert osc.done + osc.refused >= count, (osc.done, osc.refused)


def test_a_press_is_checked_against_its_actors_role(single_live):
    """An OSC surface given a graphics actor may not TAKE or open a poll: forbidden, nothing changes."""
    live = single_live
    osc = surface_on(live, Actor(-11, "图文台 OSC", GRAPHICS))
    try:
        before = live.api("/api/state")[1]
        live.api("/api/polls", "POST", {"title": "不许开", "kind": "yesno"})
        client = SimpleUDPClient("127.0.0.1", osc.port)
        for address in ("/wenzheng/take", "/wenzheng/poll/open", "/wenzheng/timer/add"):
            client.send_message(address, [30] if address.endswith("add") else [])
        settle(osc, 3)
        assert osc.done == 0 and osc.refused == 3
        after = live.api("/api/state")[1]
        assert after["show"]["status"] == before["show"]["status"] == "standby"
        assert after["timer"] == {**before["timer"], "remaining_s": after["timer"]["remaining_s"]}
        assert [p["state"] for p in live.api("/api/polls")[1]["polls"]] == ["draft"]
    finally:
        live.run(osc.stop())


def test_the_built_in_surface_acts_and_the_engine_survives_junk(single_live):
    live = single_live
    osc = surface_on(live, CONTROL_SURFACE)
    try:
        client = SimpleUDPClient("127.0.0.1", osc.port)
        for junk in (b"", b"#bundle\0", b"/wenzheng/take\0\0,s\0\0", b"\xff" * 9000, b"/wenzheng/message\0\0\0,s\0\0\xed\xa0\x80\0"):
            client._sock.sendto(junk, ("127.0.0.1", osc.port))
        client.send_message("/wenzheng/take", [])
        settle(osc, 6)
        assert osc.done == 1
        state = live.api("/api/state")[1]
        assert state["show"]["status"] == "live"
        live.prove_alive()
    finally:
        live.run(osc.stop())
