"""The Show's records: what is stored of it, rebuilt at start-up, and put back after a failed write.

A mixin of core/show.py's Show (the rules live there); split off so each file reads as one
concern.
"""

from __future__ import annotations

from typing import Any

from .message import restored_message
from .polls import Poll
from .questions import Question
from .running_order import RunningOrder
from .timers import SpeakerTimer


class ShowRecords:
    def meta(self) -> dict[str, Any]:
        return {
            "order": self.order.to_dict(), "timer": self.timer.to_dict(), "current_poll_id": self.current_poll_id,
            "on_air_question_id": self.on_air_question_id, "overlay": dict(self.overlay),
            "rehearsal": self.rehearsal, "scores": self.scores, "ranking_group": self.ranking_group,
            "message": self.message,
        }

    def restore(self, meta: dict[str, Any] | None, polls: list[dict], questions: list[dict],
                ballots: list[tuple[int, str, str, str, str]], operators: list[dict] | None = None) -> None:
        """Rebuild from the store. Tallies come from a recount of the ballot log."""
        self.crew.restore(operators or [])
        if meta:
            self.order = RunningOrder.from_dict(self.base_scene, meta.get("order", {}))
            self.timer = SpeakerTimer.from_dict(meta.get("timer", {}))
            self.current_poll_id = meta.get("current_poll_id")
            self.on_air_question_id = meta.get("on_air_question_id")
            self.overlay.update({k: v for k, v in meta.get("overlay", {}).items() if k in self.overlay})
            self.rehearsal = bool(meta.get("rehearsal", False))
            self.scores = meta.get("scores")
            group = meta.get("ranking_group")
            self.ranking_group = group if isinstance(group, str) else None
            self.message = restored_message(meta.get("message"))
        for data in polls:
            poll = Poll.from_dict(data)
            self.polls[poll.id] = poll
        for data in questions:
            q = Question.from_dict(data)
            self.questions[q.id] = q
        for poll_id, voter, group, venue, choice in ballots:
            poll = self.polls.get(poll_id)
            if poll is not None and voter not in poll.voters:
                poll.count(voter, group, venue, choice)
        self._next_poll_id = max(self.polls, default=0) + 1
        self._next_question_id = max(self.questions, default=0) + 1
        if self.current_poll_id not in self.polls:
            self.current_poll_id = None
        if self.on_air_question_id not in self.questions:
            self.on_air_question_id = None

    def revert_to(self, meta: dict[str, Any] | None, polls: list[dict], questions: list[dict],
                  operators: list[dict] | None = None) -> None:
        """Back to the records the store holds, after a write that failed.

        Poll objects are updated in place and keep their tallies: a tally counts only
        ballots already durable, and a ballot in flight holds its poll and counts into it.
        """
        stored = type(self)(self.base_scene, self.sensitive_words)
        stored.restore(meta, polls, questions, [], operators)
        self.crew = stored.crew
        self.order, self.timer, self.overlay = stored.order, stored.timer, stored.overlay
        self.current_poll_id, self.on_air_question_id = stored.current_poll_id, stored.on_air_question_id
        self.scores, self.ranking_group = stored.scores, stored.ranking_group
        self.scores = stored.scores
        self.message = stored.message
        for pid in [pid for pid in self.polls if pid not in stored.polls]:
            del self.polls[pid]  # created by the failed command: never existed
        for pid, record in stored.polls.items():
            poll = self.polls.get(pid)
            if poll is None:
                self.polls[pid] = record
                continue
            for name in Poll.RECORD_FIELDS:
                setattr(poll, name, getattr(record, name))
        self.questions = stored.questions
        self._next_poll_id, self._next_question_id = stored._next_poll_id, stored._next_question_id
