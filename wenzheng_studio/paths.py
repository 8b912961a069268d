"""Where things live: bundled assets and scenes, the user's data folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs

_PKG = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # A wheel carries assets/ and scenes/ inside the package; a checkout has them beside it.
    inside = _PKG / "_bundled" / name
    return inside if inside.is_dir() else _PKG.parent / name


def assets_dir() -> Path:
    return _bundled("assets")


def scenes_dir() -> Path:
    return _bundled("scenes")


def web_dir() -> Path:
    return assets_dir() / "web"


def fonts_dir() -> Path:
    return assets_dir() / "fonts"


DEFAULT_SCENE_NAME = "baixing-wenzheng.toml"


def resolve_scene(path: str | None) -> Path:
    """A scene path as given, else relative to the bundled scenes/ folder."""
    if path is None:
        path = f"scenes/{DEFAULT_SCENE_NAME}"
    p = Path(path)
    if p.exists():
        return p
    bundled = scenes_dir() / p.name
    return bundled if bundled.exists() else p


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("wenzheng-studio", "WenzhengStudio"))


def default_db() -> Path:
    return user_data_dir() / "show.db"


def rehearsal_db(db: Path) -> Path:
    """A rehearsal's database, beside the real one (show.db → show.rehearsal.db): a
    rehearsal never writes the live record, and the live show never sees the rehearsal's."""
    return db.with_name(f"{db.stem}.rehearsal{db.suffix or '.db'}")
