"""The ranking board on air (群众满意单位评议, seed 004): one group's units in rank order.

The director reveals a group's board (`ranking.show` {"group"}) and takes it off again
(`ranking.hide`). Only the group is kept (in the show's meta, like the overlay modes): the
board's figures are derived from the ranking each time the state is made, so a hearing poll
that closes while the board is up is on the board at the next push, and the board can never
show figures the ranking (GET /api/ranking, the report) does not.

The board is public while it is shown (state `ranking_board`, every view and the /overlay
namespace): revealing it is the moment the results are announced. Until then the ranking is
an operator's view only. A hearing poll created hidden (`revealed` false) counts on the board
only once revealed, so the board never tells what the poll itself does not.
"""

from __future__ import annotations

from typing import Any, Mapping

from .errors import DomainError, invalid
from .ranking import WEIGHTS, satisfactory_count
from .questions import clean_text

MAX_BOARD_UNITS = 20  # rows one 1920×1080 board holds without clipping (seed 004's groups: 11–17)
BOARD_ACTIONS = ("ranking.show", "ranking.hide")


def board_group(body: Mapping[str, Any], ranking: Mapping[str, Any]) -> str:
    """The group `ranking.show` names, checked against the ranking: raises before anything changes."""
    group = body.get("group")
    if not isinstance(group, str):
        raise invalid("group must be text: one of the scene's unit groups")
    group = clean_text(group, "group", 80)  # the cleaning every operator text goes through
    groups = {g["group"]: g for g in ranking.get("groups") or []}
    if group not in groups:
        known = "、".join(repr(g) for g in groups) or "none (the scene has no units)"
        raise invalid(f"group {group!r} is not a unit group of this show; the groups are {known}")
    units = groups[group]["units"]
    if len(units) > MAX_BOARD_UNITS:
        raise invalid(f"group {group!r} has {len(units)} units; one board shows at most {MAX_BOARD_UNITS}")
    if not any(u.get("composite") is not None for u in units):
        raise DomainError("no_ranking", f"no unit of group {group!r} has a composite yet: import the scores "
                          "(POST /api/scores) and score the hearing first", 409)
    return group


def board_view(group: str | None, ranking: Mapping[str, Any]) -> dict[str, Any] | None:
    """The state's `ranking_board`: None while no board is up (or its group is gone after an edit).

    `{"group", "units": [{"rank", "unit", "hearing", "composite", "satisfactory"}], "quota"
    (how many units are satisfactory), "complete" (every unit has a composite), "weights"}`.
    """
    if group is None:
        return None
    found = next((g for g in ranking.get("groups") or [] if g["group"] == group), None)
    if found is None:
        return None
    units = [{"rank": u["rank"], "unit": u["unit"], "hearing": u["hearing"], "composite": u["composite"],
              "satisfactory": bool(u["satisfactory"])} for u in found["units"]]
    scored = sum(1 for u in units if u["composite"] is not None)
    return {"group": group, "units": units, "quota": satisfactory_count(scored),
            "complete": scored == len(units), "weights": dict(WEIGHTS)}


__all__ = ["BOARD_ACTIONS", "MAX_BOARD_UNITS", "board_group", "board_view"]
