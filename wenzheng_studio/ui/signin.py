"""Signing a console in on a crew member's PC: a one-time code (or the link that carries it)
from the director's 人员 dialog, exchanged once with `POST /api/signin` for that person's token.

The token never travels in a URL (the link carries only the one-time code) and is kept in
one place on the PC: `signin.json` in the user's config folder (created 0600, owner only),
so a console that crashed or was closed comes back without a new code. The director ends it
by revoking the person (人员 → 撤销); a refused token is forgotten and the console asks again.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import platformdirs

_CODE = re.compile(r"^[A-Z0-9]{4}-?[A-Z0-9]{4}$")


class SignInError(Exception):
    """A sign-in that did not work, said in Chinese for the person at the console."""


def parse_signin(text: str) -> tuple[str | None, str]:
    """A pasted link (`http://HOST:PORT/signin?code=K7Q2-M9XD`) or a bare code → (engine URL
    or None, the code as "XXXX-XXXX"). Raises SignInError if it is neither."""
    text = (text or "").strip()
    base = None
    if "://" in text:
        parts = urllib.parse.urlsplit(text)
        codes = urllib.parse.parse_qs(parts.query).get("code") or []
        if parts.scheme not in ("http", "https") or not parts.netloc or not codes:
            raise SignInError("这不是登录链接：请粘贴导演发给您的链接（…/signin?code=…）或 8 位登录码")
        path = parts.path.rstrip("/")
        if path.endswith("/signin"):
            path = path[: -len("/signin")]
        base, text = f"{parts.scheme}://{parts.netloc}{path}", codes[0]
    code = re.sub(r"\s", "", text).upper()
    if not _CODE.match(code):
        raise SignInError("登录码是 8 位字母或数字（如 K7Q2-M9XD）")
    if "-" not in code:
        code = f"{code[:4]}-{code[4:]}"
    return base, code


def _call(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 8) -> tuple[int, Any]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null")
        except ValueError:
            return exc.code, None


def exchange(url: str, code: str) -> dict[str, Any]:
    """POST /api/signin {"code"} → {"token", "id", "name", "role"}. The code works once."""
    try:
        status, body = _call("POST", url.rstrip("/") + "/api/signin", {"code": code})
    except (OSError, ValueError) as exc:
        raise SignInError(f"连不上引擎 {url}：{exc}") from None
    if status == 200 and isinstance(body, dict) and body.get("token"):
        return body
    error = body.get("error") if isinstance(body, dict) else None
    if error == "bad_code" or status == 400:
        raise SignInError("登录码无效、已用过或已过期：请导演在“人员”里重新生成")
    if status == 429:
        raise SignInError("尝试太频繁，请稍等一分钟再试")
    raise SignInError(f"引擎没有接受登录（HTTP {status}）")


def whoami(url: str, token: str) -> dict[str, Any] | None:
    """The token's person, {"id", "name", "role"}; None if the engine refuses it (401).
    An engine from before roles (404) knows only the director's token."""
    status, body = _call("GET", url.rstrip("/") + "/api/whoami", token=token)
    if status == 200 and isinstance(body, dict):
        return body
    if status == 404:
        return {"id": 0, "name": "导演", "role": "director"}
    if status in (401, 403):
        return None
    raise OSError(f"HTTP {status}")


# --- the one place a token is kept on this PC ---------------------------------------------
def signin_file() -> Path:
    return Path(platformdirs.user_config_dir("wenzheng-studio", "WenzhengStudio")) / "signin.json"


def _read() -> dict[str, Any]:
    try:
        data = json.loads(signin_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(data: dict[str, Any]) -> None:
    path = signin_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # owner only, from its first byte
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def remember(url: str, signed_in: dict[str, Any]) -> None:
    data = _read()
    engines = data.get("engines") if isinstance(data.get("engines"), dict) else {}
    engines[url.rstrip("/")] = {k: signed_in.get(k) for k in ("token", "id", "name", "role")}
    _write({"last": url.rstrip("/"), "engines": engines})


def recall(url: str | None) -> tuple[str, dict[str, Any]] | None:
    """(engine URL, the saved sign-in) for `url`, or for the engine used last when None."""
    data = _read()
    engines = data.get("engines") if isinstance(data.get("engines"), dict) else {}
    key = (url or data.get("last") or "").rstrip("/")
    saved = engines.get(key)
    return (key, saved) if isinstance(saved, dict) and saved.get("token") else None


def forget(url: str) -> None:
    data = _read()
    engines = data.get("engines") if isinstance(data.get("engines"), dict) else {}
    if engines.pop(url.rstrip("/"), None) is not None:
        _write({"last": data.get("last"), "engines": engines})


# --- the dialog -------------------------------------------------------------------------
def ask_signin(url: str | None, note: str = "") -> tuple[str, dict[str, Any]] | None:
    """A small dialog: paste the link or the code (and the engine's address when only a code).
    Returns (engine URL, {"token", "id", "name", "role"}) or None if cancelled. Needs a QApplication."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

    dialog = QDialog()
    dialog.setWindowTitle("Wenzheng Studio 登录")
    intro = QLabel("请粘贴导演给您的登录链接或 8 位登录码（在导演台“人员”里生成，10 分钟内有效，只能用一次）。")
    intro.setWordWrap(True)
    intro.setTextFormat(Qt.PlainText)
    link = QLineEdit(placeholderText="http://…/signin?code=K7Q2-M9XD  或  K7Q2-M9XD")
    engine = QLineEdit(url or "", placeholderText="http://10.0.0.5:8765（只粘贴登录码时需要）")
    error = QLabel(note)
    error.setTextFormat(Qt.PlainText)
    error.setWordWrap(True)
    error.setStyleSheet("color: #c62828; font-weight: bold;")
    form = QFormLayout()
    form.addRow("登录链接或登录码", link)
    form.addRow("引擎地址", engine)
    buttons = QDialogButtonBox()
    ok = buttons.addButton("登录", QDialogButtonBox.AcceptRole)
    buttons.addButton("取消", QDialogButtonBox.RejectRole)
    layout = QVBoxLayout(dialog)
    layout.addWidget(intro)
    layout.addLayout(form)
    layout.addWidget(error)
    layout.addWidget(buttons)
    dialog.resize(560, 200)
    result: dict[str, Any] = {}

    def attempt() -> None:
        try:
            base, code = parse_signin(link.text())
            target = (engine.text().strip() if url else "") or base or engine.text().strip()
            if not target:
                raise SignInError("只有登录码时请填写引擎地址（如 http://10.0.0.5:8765）")
            result["url"], result["who"] = target.rstrip("/"), exchange(target, code)
        except SignInError as exc:
            error.setText(str(exc))
            return
        dialog.accept()

    ok.clicked.connect(attempt)
    buttons.rejected.connect(dialog.reject)
    dialog.signin = (link, engine, ok, error)  # for tests
    if dialog.exec() != QDialog.Accepted:
        return None
    return result["url"], result["who"]
