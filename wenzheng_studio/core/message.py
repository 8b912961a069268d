"""The director's message to the talent: one line on the presenter's screen (/timer).

`message.set` {"text"} puts it up, `message.clear` takes it down; the state carries it as
{"text", "at"} (at: the engine's clock, the same scale as `server_time`) or null, in the
operator and the public state alike, since the floor monitor is a public page. It is
operator text, so it is cleaned like every operator text (core/questions.clean_text).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .errors import invalid
from .questions import clean_text

MESSAGE_LIMIT = 40  # one line the speaker reads from the podium at a glance
# The usual lines, in the order of their keys in the control room (Alt+1 … Alt+5).
PRESETS = ("请抓紧时间", "请结束发言", "还有一分钟", "请看镜头", "请大声一点")


def talent_message(body: dict[str, Any], now: float) -> dict[str, Any]:
    """The message `message.set` puts up; refuses (DomainError invalid) before anything changes."""
    text = clean_text(body.get("text"), "text", MESSAGE_LIMIT, required=True)
    if "\n" in text:
        raise invalid("text must be one line")
    if not any(unicodedata.category(c)[0] not in "ZC" for c in text):
        # zero-width spaces and the like: the presenter would see an empty band blink
        raise invalid("text has no visible character")
    return {"text": text, "at": now}


def restored_message(data: Any) -> dict[str, Any] | None:
    """The message kept in the show's meta (None for an older database or a damaged record)."""
    if isinstance(data, dict) and isinstance(data.get("text"), str) and isinstance(data.get("at"), (int, float)):
        return {"text": data["text"], "at": float(data["at"])}
    return None
