"""The shared protocol check (../shared/acceptance/run) with the official JS client."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT.parent / "shared" / "acceptance" / "run"


@pytest.mark.timeout(300)
@pytest.mark.skipif(not RUN.exists() or shutil.which("node") is None or shutil.which("npm") is None,
                    reason="needs ../shared/acceptance and Node.js")
def test_shared_protocol_check_passes():
    result = subprocess.run([str(RUN)], cwd=ROOT, capture_output=True, text=True, timeout=280)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0 and lines and lines[-1].endswith(" 0 failed"), result.stdout + result.stderr
