"""`wenzheng-studio edit [SCENE]`: the rundown editor (节目单编辑), before the show.

    wenzheng-studio edit scenes/baixing-wenzheng.toml     # open a scene file
    wenzheng-studio edit next-week.toml                    # a new file, from the default scene
    wenzheng-studio edit --from-engine http://10.0.0.5:8765  # what the engine runs now → save as a file
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any


def fetch_scene(url: str, token: str | None = None, timeout: float = 10) -> dict[str, Any]:
    """GET /api/scene (public: no token needed; one is sent if given)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(url.rstrip("/") + "/api/scene", headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as reply:
        data = json.loads(reply.read())
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise ValueError("the engine's answer is not a running order")
    return data


def initial_document(scene: str | None):
    """The document the window opens with: a file, or a new file / an unsaved copy made
    from the default scene. Raises SceneError for a file that cannot be opened."""
    from ...core.scene import SceneError  # noqa: F401 (raised by EditorDocument.open)
    from ...paths import resolve_scene
    from .model import EditorDocument

    if scene is not None and Path(scene).exists():
        return EditorDocument.open(scene)
    template = EditorDocument.open(resolve_scene(None))
    template.path = Path(scene) if scene is not None else None
    template.origin = "默认节目单（百姓问政）为模板"
    template.dirty = True
    return template


def run_editor(args) -> int:
    from ...core.scene import SceneError

    url = getattr(args, "from_engine", None)
    data = None
    if url:
        token = getattr(args, "admin_token", None) or os.environ.get("WENZHENG_ADMIN_TOKEN")
        try:
            data = fetch_scene(url, token)
        except (OSError, ValueError) as exc:
            print(f"wenzheng-studio edit: cannot read the running order from {url}: {exc}", file=sys.stderr)
            return 1
    else:
        try:
            document = initial_document(getattr(args, "scene_file", None))
        except SceneError as exc:
            print(f"wenzheng-studio edit: cannot open the scene: {exc}", file=sys.stderr)
            return 2

    from ..gui_gc import gui_application  # Qt loads only for a window

    from ..fonts import app_font, load_app_fonts
    from .model import EditorDocument
    from .window import EditorWindow

    app = gui_application()
    load_app_fonts()
    app.setFont(app_font(11))
    if data is not None:
        document = EditorDocument.from_api(data, url)
    window = EditorWindow(document)
    window.resize(1366, 768)
    window.show()
    return app.exec()
