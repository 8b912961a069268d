"""The layers point one way (import-linter contracts in pyproject.toml), and core has no Qt."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint) if lint.exists() else "lint-imports"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_imports_without_qt_or_io():
    code = ("import sys, wenzheng_studio.core.show, wenzheng_studio.core.scene;"
            "bad=[m for m in ('PySide6','socketio','sqlite3','sqlite_utils','uvicorn') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
