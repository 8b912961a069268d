"""The rundown editor: the engine's loader judges every edit, a refused save writes nothing,
keys edit the running order, units come in from a spreadsheet."""

import shutil
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from wenzheng_studio.core.scene import SceneError, load_scene, parse_scene
from wenzheng_studio.core.scene_writer import dumps
from wenzheng_studio.paths import scenes_dir
from wenzheng_studio.ui.editor.model import EditorDocument
from wenzheng_studio.ui.editor.window import EditorWindow


@pytest.fixture
def scene_file(tmp_path):
    path = tmp_path / "baixing.toml"
    shutil.copy(scenes_dir() / "baixing-wenzheng.toml", path)
    return path


@pytest.fixture
def editor(qtbot, scene_file):
    window = EditorWindow(EditorDocument.open(scene_file))
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    yield window
    close(window)


def close(window):
    """Unsaved changes make closing ask 是/否 (a modal box a test would wait on forever)."""
    window.doc.dirty = False
    window.close()
    window.deleteLater()


def type_into(qtbot, line_edit, text):
    """Typed key by key (QTest types ASCII only: Chinese arrives as the input method would,
    as the whole text with textEdited)."""
    line_edit.selectAll()
    qtbot.keyClick(line_edit, Qt.Key_Backspace)
    if text.isascii():
        qtbot.keyClicks(line_edit, text)
    else:
        line_edit.setText(text)
        line_edit.textEdited.emit(text)


def test_a_mismatched_total_shows_the_loaders_message_and_saves_nothing(qtbot, editor, scene_file):
    original = scene_file.read_bytes()
    assert editor.comments_note.isVisible() and "注释不会保留" in editor.comments_note.text()
    assert "✓" in editor.status.text() and "70:00" in editor.total_label.text()

    editor.seg_table.setCurrentCell(1, 0)  # 成果展示 8:00
    type_into(qtbot, editor.form.planned, "9:00")
    assert "各环节合计 71:00" in editor.total_label.text() and "多 1:00" in editor.total_label.text()  # live
    qtbot.waitUntil(lambda: editor.error is not None)
    # the loader's own words for the text a save would write
    with pytest.raises(SceneError) as loader:
        parse_scene(dumps(editor.doc.clean()), str(scene_file))
    assert editor.error.where == "show.planned_total"
    assert loader.value.detail == "says 70:00 but the segments add up to 71:00"
    assert loader.value.detail in editor.status.text() and "show.planned_total" in editor.status.text()

    qtbot.keyClick(editor, Qt.Key_S, Qt.ControlModifier)
    assert scene_file.read_bytes() == original  # nothing written
    assert "未保存" in editor.status.text()
    assert editor.tabs.currentIndex() == 1 and editor.show_fields["planned_total"].hasFocus()  # points at it

    editor.tabs.setCurrentIndex(0)
    editor.seg_table.setCurrentCell(2, 0)  # 电视回访 8:00 → 7:00: 70:00 again
    type_into(qtbot, editor.form.planned, "7:00")
    assert editor.save()
    scene = load_scene(scene_file)
    assert scene.planned_s == 70 * 60 and [s.planned_s for s in scene.segments][1:3] == [540, 420]
    assert scene.segments[0].timer.seconds == 30 and scene.segments[0].speakers[0].name == "王建国"
    assert "#" not in scene_file.read_text(encoding="utf-8")  # comments are gone, as the note said
    assert "注释" in editor.status.text() and not editor.doc.dirty


def test_a_field_error_points_at_the_segment_and_field(qtbot, editor):
    editor.seg_table.setCurrentCell(3, 0)
    type_into(qtbot, editor.form.key, "Bad Key")
    assert editor.validate() is not None
    assert editor.error.where == "segments[3].key" and "lower-case letters" in editor.status.text()
    editor.seg_table.setCurrentCell(0, 0)
    editor.point_at(editor.error)
    assert editor.seg_table.currentRow() == 3 and editor.form.key.hasFocus()


def test_insert_delete_and_move_from_the_keyboard(qtbot, editor, monkeypatch):
    table = editor.seg_table
    table.setFocus()
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key_Insert)
    assert len(editor.doc.segments) == 10 and table.currentRow() == 1
    assert editor.doc.segments[1]["title"] == "新环节" and editor.form.title.hasFocus()
    type_into(qtbot, editor.form.title, "开场短片")
    assert editor.doc.segments[1]["title"] == "开场短片" and editor.seg_table.item(1, 2).text() == "开场短片"
    assert "71:00" in editor.total_label.text()

    asked = []
    monkeypatch.setattr(editor, "confirm", lambda text: asked.append(text) or False)
    qtbot.keyClick(editor.form.title, Qt.Key_Delete)  # in a text field Delete is a character's
    assert len(editor.doc.segments) == 10 and not asked
    table.setFocus()
    qtbot.keyClick(table, Qt.Key_Delete)
    assert len(editor.doc.segments) == 10 and "删除环节 2" in asked[0]  # 否: nothing removed
    monkeypatch.setattr(editor, "confirm", lambda text: True)
    qtbot.keyClick(table, Qt.Key_Delete)
    assert len(editor.doc.segments) == 9 and "70:00  ✓" in editor.total_label.text()

    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key_Down, Qt.ControlModifier)
    assert [s["key"] for s in editor.doc.segments[:2]] == ["results", "pledge"] and table.currentRow() == 1
    qtbot.keyClick(table, Qt.Key_Up, Qt.ControlModifier)
    assert [s["key"] for s in editor.doc.segments[:2]] == ["pledge", "results"]
    assert editor.validate() is None


def test_segment_fields_reach_the_file(qtbot, editor, scene_file):
    editor.seg_table.setCurrentCell(7, 0)  # 市民表决
    f = editor.form
    type_into(qtbot, f.obs_scene, "表决大屏")
    type_into(qtbot, f.obs_mute, "现场话筒")
    f.poll_kind.setCurrentIndex(f.poll_kind.findData("yesno"))
    f.poll_kind.activated.emit(f.poll_kind.currentIndex())
    type_into(qtbot, f.poll_title, "是否同意？")
    editor.seg_table.setCurrentCell(4, 0)  # 嘉宾点评: speakers experts → citizens, timer comment → promise
    f.speakers.setCurrentIndex(f.speakers.findData("citizens"))
    f.speakers.activated.emit(f.speakers.currentIndex())
    f.timer.setCurrentIndex(f.timer.findData("promise"))
    f.timer.activated.emit(f.timer.currentIndex())
    assert editor.save()
    scene = load_scene(scene_file)
    vote, comment = scene.segments[7], scene.segments[4]
    assert (vote.obs_scene, vote.poll_kind, vote.poll_title) == ("表决大屏", "yesno", "是否同意？")
    assert vote.obs_mute == "现场话筒" and scene.segments[6].obs_mute == ""
    assert comment.speakers == scene.citizens and comment.timer.seconds == 60


def test_units_timers_and_vote_settings(qtbot, editor, scene_file, tmp_path, monkeypatch):
    # a timer preset renamed: segments using it follow
    row = editor.timers.row_of("pledge")
    editor.timers.table.item(row, 0).setText("liangxiang")
    editor.timers.table.item(row, 1).setText("45")
    editor.timers.table.item(row, 4).setCheckState(Qt.Checked)
    assert editor.doc.segments[0]["timer"] == "liangxiang"
    editor.units.table.item(0, 2).setText("王新")  # head of the first unit
    type_into(qtbot, editor.vote_fields["countdown_s"], "90")
    type_into(qtbot, editor.vote_fields["venues"], "main, sub01")
    assert editor.save()
    scene = load_scene(scene_file)
    assert scene.segments[0].timer.seconds == 45 and scene.segments[0].timer.cut_at_zero
    assert scene.segments[0].speakers[0].name == "王新"
    assert scene.poll_countdown_s == 90 and scene.venues == ("main", "sub01")

    type_into(qtbot, editor.vote_fields["countdown_s"], "lots")
    assert editor.validate().where == "vote.countdown_s"  # the loader's message, not the editor's
    assert "must be int, not str 'lots'" in editor.status.text()


def test_units_imported_from_a_spreadsheet(qtbot, editor, tmp_path, monkeypatch):
    monkeypatch.setattr(editor, "confirm", lambda text: True)
    csv = tmp_path / "units.csv"
    csv.write_bytes("单位,简称,负责人,职务\n市卫生健康委员会,卫健委,钱进,主任\n市教育局,教育局,孙立,局长\n".encode("gbk"))
    assert editor.import_units_from(csv)
    assert [u["name"] for u in editor.doc.people("units")] == ["市卫生健康委员会", "市教育局"]
    assert editor.units.table.rowCount() == 2 and editor.validate() is None

    bad = tmp_path / "bad.csv"
    bad.write_text("单位,简称\n市财政局,财政\n,空\n", encoding="utf-8")
    told = []
    monkeypatch.setattr(editor, "tell", lambda title, text: told.append(text))
    assert not editor.import_units_from(bad)
    assert "第 3 行" in told[0] and len(editor.doc.people("units")) == 2  # nothing half-imported


def test_for_each_slots_edit_as_one_row(qtbot, tmp_path):
    path = tmp_path / "pingyi.toml"
    shutil.copy(scenes_dir() / "pingyi-hearing.toml", path)
    window = EditorWindow(EditorDocument.open(path))
    assert window.seg_table.rowCount() == 6 and "✓" in window.status.text()
    window.seg_table.setCurrentCell(1, 0)
    assert window.form.group.currentData() == "执法监督组" and window.form.key.text() == "g1"
    assert window.seg_table.item(1, 1).text() == "g1-1…16"
    type_into(qtbot, window.form.planned, "6:00")  # 16 slots × 30 s shorter
    assert "少 8:00" in window.total_label.text()
    window.set_total_to_sum()
    assert window.save()
    scene = load_scene(path)
    assert scene.planned_s == 293 * 60 and len(scene.segments) == 47
    close(window)


def test_edit_from_an_unreachable_engine_says_so(capsys):
    result = subprocess.run([sys.executable, "-m", "wenzheng_studio", "edit", "--from-engine", "http://127.0.0.1:9"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "cannot read the running order" in result.stderr


def test_loaded_from_a_running_engine_and_saved(qtbot, engine_process, tmp_path, monkeypatch):
    window = EditorWindow()
    assert window.load_from_engine(engine_process.url)
    assert window.doc.path is None and engine_process.url in window.path_label.text()
    out = tmp_path / "as-run.toml"
    assert window.save_to(out)
    assert load_scene(out).segments == load_scene(scenes_dir() / "baixing-wenzheng.toml").segments
    close(window)


def test_a_new_file_starts_from_the_default_scene_and_is_saved_there(qtbot, tmp_path):
    from wenzheng_studio.ui.editor import initial_document

    target = tmp_path / "next-week.toml"
    window = EditorWindow(initial_document(str(target)))
    assert not target.exists() and window.doc.path == target and "✓" in window.status.text()
    assert window.save() and load_scene(target).title == "百姓问政"
    close(window)
