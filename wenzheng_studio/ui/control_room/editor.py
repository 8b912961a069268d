"""The running order and the speakers edited live, from the control room: each edit a control
action, asked first when it changes the segment on air, remembered with its undo.

The window decides whether an edit is possible at all (actions.py: only a director, …) and
calls these methods only then; the engine checks every value again and refuses in its own
words (shown in Chinese, refusals.py).
"""

from __future__ import annotations

from typing import Any, Callable

from . import edits
from .edits import UndoStep

UNDO_DEPTH = 50  # edits remembered for Ctrl+Z
Done = Callable[[bool, str], None]  # (accepted, the engine's error as the bridge reports it)


def _noop(_ok: bool, _error: str) -> None:
    pass


class RunningOrderEditor:
    def __init__(self, window):
        self.w = window
        self.tr = window.tr_
        self.undo_stack: list[UndoStep] = []

    # --- what the window reads -------------------------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        return self.w.state or {}

    def current(self) -> int:
        return int((self.state.get("segment") or {}).get("index", 0))

    def undo_label(self) -> str:
        return self.undo_stack[-1].label if self.undo_stack else ""

    # --- sending ---------------------------------------------------------------------------
    def _ask_on_air(self, action: str, fields: dict[str, Any], label: str) -> bool:
        """True to go on: an edit of the segment on air asks first (是/否, 否 the default)."""
        title = edits.on_air_title(action, fields, self.state)
        return not title or self.w.confirm(self.tr("直播中改动正在播出的环节「{title}」：{label}？").format(
            title=title, label=label))

    def _send(self, action: str, fields: dict[str, Any], label: str,
              undo: Callable[[Any], UndoStep | None], done: Done = _noop, *, ask: bool = True,
              after: Callable[[], None] | None = None) -> bool:
        """Sends one edit; on success its undo goes on the stack. False if not sent (否)."""
        if ask and not self._ask_on_air(action, fields, label):
            done(False, "")
            return False

        def replied(reply) -> None:
            if reply.ok:
                step = undo(reply)
                if step is not None:
                    self.undo_stack.append(step)
                    del self.undo_stack[:-UNDO_DEPTH]
                if after is not None:
                    after()
                self.w.refresh_actions()
            done(reply.ok, "" if reply.ok else reply.error)

        self.w.bridge.control(action, replied, **fields)
        return True

    # --- segments --------------------------------------------------------------------------
    def rename_segment(self, index: int, title: str, done: Done = _noop) -> bool:
        step = edits.segment_update(self.state, index, {"title": title}, self.tr)
        return self._send("segment.update", {"index": index, "title": title}, step.label, lambda _r: step, done)

    def retime_segment(self, index: int, planned: str, done: Done = _noop) -> bool:
        """`planned` as typed (mm:ss): the engine checks it and refuses a bad one in its words."""
        step = edits.segment_update(self.state, index, {"planned": planned}, self.tr)
        return self._send("segment.update", {"index": index, "planned": planned}, step.label, lambda _r: step, done)

    def move_segment(self, index: int, to: int, done: Done = _noop) -> bool:
        if index == to:
            return False
        step = edits.segment_move(self.state, index, to, self.tr)
        return self._send("segment.move", {"index": index, "to": to}, step.label, lambda _r: step, done,
                          after=lambda: self.w.running_order.select(to))

    def insert_at(self) -> int:
        """After the selected segment; nothing selected: after the segment on air (or next)."""
        selected = self.w.running_order.selected_index()
        size = len(self.state.get("running_order") or [])
        return min(size, (selected if selected >= 0 else self.current()) + 1)

    def insert_segment(self, at: int, values: dict[str, Any], done: Done = _noop) -> bool:
        segment = {"title": values.get("title", ""), "planned": values.get("planned", ""),
                   "kind": values.get("kind") or "plain"}

        def undo(reply) -> UndoStep:
            order = (reply.body or {}).get("running_order") if isinstance(reply.body, dict) else None
            key = str(order[at].get("key", "")) if isinstance(order, list) and 0 <= at < len(order) else ""
            return edits.segment_insert(at, segment, key, self.tr)
        label = edits.segment_insert(at, segment, "", self.tr).label
        return self._send("segment.insert", {"at": at, "segment": segment}, label, undo, done,
                          after=lambda: self.w.running_order.select(at))

    def remove_segment(self, index: int, done: Done = _noop) -> bool:
        """Asks 是/否, then reads the segment's every field from the scene (for its undo) and removes it."""
        before = edits.row(self.state, index)
        if not before or not self.w.confirm(self.tr("删除环节「{title}」？").format(title=before.get("title", ""))):
            done(False, "")
            return False
        key = before.get("key")

        def scene_read(reply) -> None:
            segments = (reply.body or {}).get("segments") if reply.ok and isinstance(reply.body, dict) else None
            found = next((s for s in segments or [] if isinstance(s, dict) and s.get("key") == key), None)
            if edits.row(self.state, index).get("key") != key:  # the running order moved meanwhile
                self.w.show_notice(self.tr("节目流程刚被改动，没有删除：请再选一次"))
                done(False, "")
                return
            step = edits.segment_remove(self.state, index, found, self.tr)
            # The row under the selection is another segment now: nothing stays selected for a second Del.
            self._send("segment.remove", {"index": index}, step.label, lambda _r: step, done, ask=False,
                       after=self.w.running_order.table.clearSelection)

        self.w.bridge.request("GET", "/api/scene", None, scene_read, quiet=True)
        return True

    # --- speakers of the segment on air -------------------------------------------------------
    def update_speaker(self, index: int, name: str, value: str, done: Done = _noop) -> bool:
        segment = self.current()
        step = edits.speaker_update(self.state, segment, index, name, value, self.tr)
        return self._send("speaker.update", {"segment": segment, "index": index, name: value}, step.label,
                          lambda _r: step, done)

    def speaker_insert_at(self) -> int:
        selected = self.w.speakers.selected_index()
        return len(self.state.get("speakers") or []) if selected is None else selected + 1

    def insert_speaker(self, at: int, values: dict[str, Any], done: Done = _noop) -> bool:
        segment = self.current()
        speaker = {k: str(values.get(k, "")) for k, _ in edits.SPEAKER_FIELDS}
        step = edits.speaker_insert(segment, at, speaker, self.tr)
        return self._send("speaker.insert", {"segment": segment, "at": at, "speaker": speaker}, step.label,
                          lambda _r: step, done, after=lambda: self.w.speakers.select(at))

    def remove_speaker(self, index: int, done: Done = _noop) -> bool:
        segment = self.current()
        step = edits.speaker_remove(self.state, segment, index, self.tr)
        who = (self.state.get("speakers") or [{}] * (index + 1))[index].get("name", "")
        question = self.tr("删除发言人「{who}」？").format(who=who)
        if edits.on_air_title("speaker.remove", {"segment": segment}, self.state):
            question += self.tr("（这会改动正在播出的环节）")
        if not self.w.confirm(question):
            done(False, "")
            return False
        return self._send("speaker.remove", {"segment": segment, "index": index}, step.label, lambda _r: step,
                          done, ask=False, after=self.w.speakers.table.clearSelection)

    def move_speaker(self, index: int, to: int, done: Done = _noop) -> bool:
        if index == to:
            return False
        segment = self.current()
        step = edits.speaker_move(self.state, segment, index, to, self.tr)
        return self._send("speaker.move", {"segment": segment, "index": index, "to": to}, step.label,
                          lambda _r: step, done, after=lambda: self.w.speakers.select(to))

    # --- undo ------------------------------------------------------------------------------
    def undo(self) -> bool:
        """Ctrl+Z: sends the inverse of the last edit (asked first if it changes the segment on air)."""
        if not self.undo_stack:
            return False
        step = self.undo_stack.pop()
        if not edits.still_fits(step, self.state):
            self.w.show_notice(self.tr("节目流程已在别处改动，无法撤销：{label}").format(label=step.label))
            self.w.refresh_actions()
            return False
        label = self.tr("撤销：{label}").format(label=step.label)
        if not self._ask_on_air(step.action, step.fields, label):
            self.undo_stack.append(step)
            return False

        def replied(reply) -> None:
            if reply.ok:
                self.w.show_notice(self.tr("已撤销：{label}").format(label=step.label))
            elif reply.status in (0, 503):  # not delivered or not stored: it can be tried again
                self.undo_stack.append(step)
            self.w.refresh_actions()

        self.w.bridge.control(step.action, replied, **step.fields)
        self.w.refresh_actions()
        return True
