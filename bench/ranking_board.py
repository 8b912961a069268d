"""What the ranking board costs: the state with a board up (every push derives it from the
ranking) at the hearing scene's size, and one Qt paint of a 17-unit board. Prints figures.

    python bench/ranking_board.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wenzheng_studio.core.scene import load_scene  # noqa: E402
from wenzheng_studio.core.show import Show  # noqa: E402
from wenzheng_studio.paths import scenes_dir  # noqa: E402

SCENE = load_scene(scenes_dir() / "pingyi-hearing.toml")
BALLOTS = 100  # representatives per hearing


def hearing_show() -> Show:
    show = Show(SCENE)
    show.import_scores({u.name: {"survey": 80.0, "review": 75.0, "assessment": 70.0} for u in SCENE.units}, 1.0)
    for n, unit in enumerate(SCENE.units):
        poll, _ = show.create_poll({"title": f"请为{unit.name}评分", "kind": "rating4", "unit": unit.name}, 2.0)
        show.poll_action(poll.id, "open", {"countdown_s": None}, 3.0)
        for i in range(BALLOTS):
            poll.count(f"s:main-{i:03d}", "studio", "main", ("good", "fair", "average", "poor")[(i + n) % 4])
        show.poll_action(poll.id, "close", {}, 4.0)
    return show


def per_call(fn, n: int = 300) -> float:
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1000


def main() -> None:
    show = hearing_show()
    plain = per_call(lambda: show.state(10.0))
    show.control({"action": "ranking.show", "group": "综合管理组"}, 10.0)
    board = per_call(lambda: show.state(10.0))
    print(f"state() with {len(SCENE.units)} units and {len(show.polls)} hearing polls of {BALLOTS} ballots: "
          f"{plain:.3f} ms without a board, {board:.3f} ms with the 17-unit board up")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from wenzheng_studio.ui.overlay import OverlayCanvas

    app = QApplication.instance() or QApplication([])  # noqa: F841
    canvas = OverlayCanvas(None, background="#00B140")
    canvas.resize(1920, 1080)
    canvas.set_state(show.state(10.0))
    canvas.finish_animations()
    first = per_call(lambda: canvas.render_image(), 1)
    steady = per_call(lambda: canvas.render_image(), 30)
    print(f"Qt overlay frame 1920x1080 with the board: first {first:.1f} ms (fitting every name), then {steady:.1f} ms")


if __name__ == "__main__":
    main()
