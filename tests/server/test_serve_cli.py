"""`wenzheng-studio serve` as a user runs it: bad scenes refused by name, tokens kept."""

import subprocess
import sys

import requests


def serve(*args, timeout=20):
    return subprocess.run([sys.executable, "-m", "wenzheng_studio", "serve", "--host", "127.0.0.1",
                           "--port", "0", *args], capture_output=True, text=True, timeout=timeout)


def test_a_scene_with_a_mistake_is_refused_naming_it(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[show]\ntitle = "x"\n[[segments]]\nkey = "a"\ntitle = "甲"\nplanned = "ten"\n', encoding="utf-8")
    result = serve("--scene", str(bad), "--db", str(tmp_path / "s.db"))
    assert result.returncode == 2
    assert "bad.toml" in result.stderr and "segments[0].planned" in result.stderr
    assert "Traceback" not in result.stderr


def test_admin_token_is_generated_once_and_kept_beside_the_db(tmp_path, monkeypatch):
    monkeypatch.delenv("WENZHENG_ADMIN_TOKEN", raising=False)
    db = tmp_path / "show.db"
    tokens = []
    for _ in range(2):
        proc = subprocess.Popen([sys.executable, "-m", "wenzheng_studio", "serve", "--host", "127.0.0.1",
                                 "--port", "0", "--db", str(db)], stdout=subprocess.PIPE, text=True)
        url = proc.stdout.readline().split("listening on ")[1].strip()
        token = (tmp_path / "show.db.admin-token").read_text().strip()
        r = requests.post(url + "/api/control", json={"action": "show.start"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert r.status_code == 200
        tokens.append(token)
        proc.terminate()
        assert proc.wait(10) == 0
    assert tokens[0] == tokens[1] and len(tokens[0]) >= 32
    assert (tmp_path / "show.db.admin-token").stat().st_mode & 0o077 == 0


def test_a_second_engine_on_the_same_show_is_refused(engine_process):
    result = serve("--db", str(engine_process.db))
    assert result.returncode == 3
    assert "already run by another engine" in result.stderr and engine_process.url in result.stderr
