"""HTTP routes of 群众满意单位评议 (seed 004): the year's other scores in, the ranking out.

`POST /api/scores` (the director) takes the file itself as the body — CSV (UTF-8 or GBK,
`unit,survey,review,assessment` or 单位,满意度测评,政风建设年,工作考核) or XLSX when openpyxl
is installed — and replaces the imported scores whole, or refuses the file naming its bad
row. `GET /api/ranking` (any operator) answers each group's units by composite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..core.errors import DomainError
from ..core.operators import READ, SCORES

if TYPE_CHECKING:
    from .http import HttpApi

NO_STORE = {"Cache-Control": "no-store"}
MAX_SCORES_BYTES = 1024 * 1024
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


async def read_file(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isascii() or not declared.isdigit() or int(declared) > MAX_SCORES_BYTES):
        raise DomainError("too_large", f"the file must be at most {MAX_SCORES_BYTES} bytes", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_SCORES_BYTES:
            raise DomainError("too_large", f"the file must be at most {MAX_SCORES_BYTES} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


class ScoreRoutes:
    def __init__(self, api: "HttpApi"):
        self.api = api

    async def import_scores(self, request: Request):
        actor = self.api.require(request, SCORES)
        data = await read_file(request)
        xlsx = request.headers.get("content-type", "").split(";")[0].strip() in XLSX_TYPES
        return JSONResponse(await self.api.engine.import_scores(data, xlsx=xlsx, actor=actor), headers=NO_STORE)

    async def ranking(self, request: Request):
        actor = self.api.require(request, READ)
        return JSONResponse(self.api.engine.ranking(actor), headers=NO_STORE)


def routes(api: "HttpApi") -> list[Route]:
    scores = ScoreRoutes(api)
    return [
        Route("/api/scores", scores.import_scores, methods=["POST"]),
        Route("/api/ranking", scores.ranking, methods=["GET"]),
    ]
