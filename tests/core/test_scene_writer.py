"""Scenes written back to TOML load as the same Scene, the engine starts on them, and a
save the loader refuses writes nothing."""

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from wenzheng_studio.core import scene_writer
from wenzheng_studio.core.scene import SceneError, load_scene, parse_scene
from wenzheng_studio.paths import scenes_dir

SHIPPED = ["baixing-wenzheng.toml", "sanmin-report.toml", "pingyi-hearing.toml"]
ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"wenzheng-studio listening on (http://\S+)")


def same(a, b):
    """Scenes equal in everything but the file they came from."""
    return dataclasses.replace(a, source="") == dataclasses.replace(b, source="")


@pytest.mark.parametrize("name", SHIPPED)
def test_scene_object_written_as_toml_loads_as_the_same_scene(name, tmp_path):
    scene = load_scene(scenes_dir() / name)
    out = tmp_path / name
    written = scene_writer.write_scene(out, scene_writer.document_from_scene(scene))
    again = load_scene(out)
    assert same(scene, again) and same(written, again)
    assert again.segments == scene.segments and again.units == scene.units  # every field of every segment
    assert again.citizens == scene.citizens and again.experts == scene.experts


@pytest.mark.parametrize("name", SHIPPED)
def test_the_file_as_data_written_back_loads_the_same(name):
    """The editor's path: the file's own data (presets by name, for_each kept) → TOML."""
    text = (scenes_dir() / name).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    out = scene_writer.dumps(data)
    assert tomllib.loads(out) == data  # nothing dropped, nothing added (e.g. show.channels kept)
    assert same(parse_scene(out), parse_scene(text))
    if "for_each" in text:
        assert "for_each" in out  # the slots stay one line each, not 54 segments
    # read like a scene file: [show] first, one [[segments]] table per segment
    assert out.lstrip().startswith("[show]") and out.count("[[segments]]") == len(data["segments"])


def _serve(scene: Path, db: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "wenzheng_studio", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--db", str(db), "--admin-token", "t" * 32, "--scene", str(scene)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise AssertionError("engine refused the written scene: " + proc.stderr.read())
        m = READY.search(line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise AssertionError("engine did not print its ready line")


@pytest.mark.parametrize("name", SHIPPED)
def test_engine_serves_the_written_file_and_its_scene_exports_back(name, tmp_path):
    scene = load_scene(scenes_dir() / name)
    out = tmp_path / name
    scene_writer.write_scene(out, scene_writer.document_from_scene(scene))
    proc, url = _serve(out, tmp_path / "show.db")
    try:
        with urllib.request.urlopen(url + "/api/scene", timeout=10) as reply:  # public: no token
            data = json.loads(reply.read())
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    # what the engine runs → a scene file again → the same running order
    exported = tmp_path / "exported.toml"
    scene_writer.write_scene(exported, scene_writer.document_from_api(data))
    assert same(load_scene(exported), scene)


def test_a_refused_save_writes_nothing(tmp_path):
    path = tmp_path / "show.toml"
    original = (scenes_dir() / "baixing-wenzheng.toml").read_bytes()
    path.write_bytes(original)
    doc = tomllib.loads(original.decode())
    doc["segments"][1]["planned"] = "9:00"  # 71:00 against planned_total 70:00
    with pytest.raises(SceneError) as caught:
        scene_writer.write_scene(path, doc)
    assert caught.value.where == "show.planned_total"
    assert str(caught.value) == f"{path}: show.planned_total: says 70:00 but the segments add up to 71:00"
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["show.toml"]  # no temporary file left


def test_the_message_is_the_engines_own(tmp_path):
    """Same text as the loader gives for the file itself (what `serve --scene` prints)."""
    doc = tomllib.loads((scenes_dir() / "baixing-wenzheng.toml").read_text(encoding="utf-8"))
    doc["segments"][3]["timer"] = "nope"
    path = tmp_path / "x.toml"
    with pytest.raises(SceneError) as from_writer:
        scene_writer.write_scene(path, doc)
    path.write_text(scene_writer.dumps(doc), encoding="utf-8")
    with pytest.raises(SceneError) as from_loader:
        load_scene(path)
    assert str(from_writer.value) == str(from_loader.value)
    assert "segments[3].timer" in str(from_writer.value)


def test_save_replaces_atomically_and_keeps_the_files_mode(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o640)
    doc = tomllib.loads((scenes_dir() / "baixing-wenzheng.toml").read_text(encoding="utf-8"))
    inode = path.stat().st_ino
    scene_writer.write_scene(path, doc)
    assert path.stat().st_mode & 0o777 == 0o640
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not rewritten in place
    assert load_scene(path).title == "百姓问政"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["show.toml"]


def test_comments_are_detected_outside_strings_only():
    assert scene_writer.has_comments("# top\n[show]\n")
    assert scene_writer.has_comments('[show]\ntitle = "a" # trailing\n')
    assert not scene_writer.has_comments('[show]\ntitle = "第 #1 期"\nx = \'#\'\ny = """\n# not a comment\n"""\n')
    assert not scene_writer.has_comments(scene_writer.dumps({"show": {"title": "#"}}))


def test_obs_scene_is_optional_validated_and_kept(tmp_path):
    doc = tomllib.loads((scenes_dir() / "baixing-wenzheng.toml").read_text(encoding="utf-8"))
    doc["segments"][0]["obs_scene"] = "演播室全景"
    scene = scene_writer.write_scene(tmp_path / "a.toml", doc)
    assert scene.segments[0].obs_scene == "演播室全景" and scene.segments[1].obs_scene == ""
    assert scene.to_dict()["segments"][0]["obs_scene"] == "演播室全景"
    again = scene_writer.document_from_scene(scene)
    assert again["segments"][0]["obs_scene"] == "演播室全景"
    doc["segments"][0]["obs_scene"] = "x" * 101
    with pytest.raises(SceneError, match=r"segments\[0\]\.obs_scene"):
        scene_writer.write_scene(tmp_path / "b.toml", doc)


def test_obs_mute_is_optional_validated_and_kept(tmp_path):
    doc = tomllib.loads((scenes_dir() / "pingyi-hearing.toml").read_text(encoding="utf-8"))
    slots = next(i for i, s in enumerate(doc["segments"]) if s.get("for_each") == "units")
    doc["segments"][slots]["obs_mute"] = "讲台话筒"  # every expanded slot mutes the podium at its cut
    scene = scene_writer.write_scene(tmp_path / "a.toml", doc)
    muted = [s for s in scene.segments if s.obs_mute]
    assert muted and all(s.obs_mute == "讲台话筒" and s.timer.cut_at_zero for s in muted)
    assert scene.segments[0].obs_mute == "" and "obs_mute" not in scene_writer.document_from_scene(scene)["segments"][0]
    assert scene.to_dict()["segments"][slots]["obs_mute"] == "讲台话筒"
    doc["segments"][slots]["obs_mute"] = "话筒\n2"
    with pytest.raises(SceneError, match=r"obs_mute"):
        scene_writer.write_scene(tmp_path / "b.toml", doc)


def test_durations_are_written_as_minutes_and_seconds():
    assert scene_writer.format_duration(300) == "5:00"
    assert scene_writer.format_duration(4200) == "70:00"
    assert scene_writer.format_duration(33600) == "560:00"
    assert scene_writer.format_duration(999 * 60 + 59) == "999:59"
    assert scene_writer.format_duration(1000 * 60) == 60000  # MM:SS has three digits of minutes at most
