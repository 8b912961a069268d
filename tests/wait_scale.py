"""qtbot waits check that something happens, not how fast (speed is measured in bench/). A
loaded CI machine can hold a push back for seconds, so every wait in the tests gets
WAIT_SCALE times the timeout its test wrote; a thing that never happens still fails."""

import os

WAIT_SCALE = float(os.environ.get("WENZHENG_TEST_WAIT_SCALE", "3"))
