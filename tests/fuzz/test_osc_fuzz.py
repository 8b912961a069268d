"""Random and mangled datagrams at the OSC listener's door (server/osc_surface.py): nothing
escapes as an exception, and only well-formed presses of known addresses are queued."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pythonosc.osc_message_builder import OscMessageBuilder

from wenzheng_studio.core import surface
from wenzheng_studio.server.osc_surface import OscSurface

ADDRESSES = [*surface.ADDRESSES, "/wenzheng", "/wenzheng/take/", "/", ""]
args = st.lists(st.integers(-2**31, 2**31 - 1) | st.floats(width=32, allow_nan=True) | st.text(max_size=20)
                | st.binary(max_size=8) | st.booleans() | st.none(), max_size=3)


def built(address: str, arguments: list) -> bytes:
    builder = OscMessageBuilder(address or "/")
    for a in arguments:
        builder.add_arg(a)
    return builder.build().dgram


def fresh() -> OscSurface:
    return OscSurface(engine=None, host="127.0.0.1", port=0)  # received() never reaches the engine


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    osc = fresh()
    osc.received(data, ("127.0.0.1", 5000))
    while not osc.queue.empty():
        press, _ = osc.queue.get_nowait()
        surface.parse_press(press.address, press.args)  # what was queued is a valid press


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(address=st.sampled_from(ADDRESSES), arguments=args, cut=st.integers(0, 12), flip=st.integers(0, 255),
       at=st.integers(0, 200))
def test_mangled_messages_never_raise(address, arguments, cut, flip, at):
    try:
        data = bytearray(built(address, arguments))
    except Exception:  # python-osc will not build it (an empty blob, a NUL in a string): nothing to send
        assume(False)
    if at < len(data):
        data[at] ^= flip
    data = bytes(data[:len(data) - cut] if cut else data)
    osc = fresh()
    osc.received(data, ("127.0.0.1", 5000))
    queued = []
    while not osc.queue.empty():
        queued.append(osc.queue.get_nowait()[0])
    for press in queued:
        assert press.address in surface.ADDRESSES
    assert osc.refused + len(queued) >= 1  # every datagram is either queued or refused (and logged)
