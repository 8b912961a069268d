"""Pure domain of the show: no Qt, no sockets, no SQL, no wall-clock reads.

Everything here takes the current time as an argument (from an injected Clock), so a
test can run a 70-minute show through a FakeClock in microseconds.
"""
