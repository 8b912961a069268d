"""HTTP routes of 评议代表库 (seed 004): the pool in, the draw, the drawn seat cards, the list out.

`POST /api/representatives` takes the file itself as the body (CSV UTF-8, or XLSX: by its
Content-Type or its zip signature) and replaces the pool whole, or refuses it naming its bad
rows. Import, draw and seat cards are the director's; the draw and its CSV list may be read
by any operator (the notary signs in as an observer), phones masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..core.operators import READ, REPRESENTATIVES
from . import exports
from .score_routes import NO_STORE, XLSX_TYPES, read_file

if TYPE_CHECKING:
    from .http import HttpApi

LIST_COLUMNS = ("界别", "序号", "姓名", "座位号", "签号")


def draw_csv(record: dict) -> bytes:
    """The drawn list as CSV, by the engine's one CSV writer (formulas defused, BOM for Excel)."""
    rows: list[list] = [list(LIST_COLUMNS)]
    order: dict[str, int] = {}
    for p in record["drawn"]:
        order[p["sector"]] = order.get(p["sector"], 0) + 1
        rows.append([p["sector"], order[p["sector"]], p["name"], p.get("seat") or "", p["ticket"]])
    return exports.csv_bytes(rows)


class DrawRoutes:
    def __init__(self, api: "HttpApi"):
        self.api = api

    @property
    def desk(self):
        return self.api.engine.representatives

    async def import_pool(self, request: Request):
        actor = self.api.require(request, REPRESENTATIVES)
        data = await read_file(request)
        xlsx = request.headers.get("content-type", "").split(";")[0].strip() in XLSX_TYPES
        view = await self.desk.import_pool(data, xlsx=xlsx, actor=actor)
        return JSONResponse({k: v for k, v in view.items() if k != "people"}, status_code=201, headers=NO_STORE)

    async def pool(self, request: Request):
        actor = self.api.require(request, REPRESENTATIVES)
        return JSONResponse(self.desk.pool_view(actor), headers=NO_STORE)

    async def draw(self, request: Request):
        actor = self.api.require(request, REPRESENTATIVES)
        record = await self.desk.draw(await self.api.read_json(request), actor)
        return JSONResponse(record, status_code=201, headers=NO_STORE)

    async def draws(self, request: Request):
        actor = self.api.require(request, READ)
        return JSONResponse(self.desk.draws_view(actor), headers=NO_STORE)

    async def draw_list_csv(self, request: Request):
        actor = self.api.require(request, READ)
        current = self.desk.draws_view(actor)["current"]
        if current is None:
            return JSONResponse({"error": "no_draw", "message": "no representatives have been drawn yet"},
                                status_code=404, headers=NO_STORE)
        return exports.csv_attachment(draw_csv(current), f"representatives-draw-{current['id']}.csv")

    async def seats(self, request: Request):
        actor = self.api.require(request, REPRESENTATIVES)
        before = self.desk.current
        record = await self.desk.issue_seats(await self.api.read_json(request), actor)
        issued_now = before is not None and not before.get("seats")
        return JSONResponse({"draw": record["id"], "venue": record["seats"]["venue"],
                             "seats": self.desk.seat_cards(self.api.public_url(), actor)},
                            status_code=201 if issued_now else 200, headers=NO_STORE)


def routes(api: "HttpApi") -> list[Route]:
    r = DrawRoutes(api)
    return [
        Route("/api/representatives", r.import_pool, methods=["POST"]),
        Route("/api/representatives", r.pool, methods=["GET"]),
        Route("/api/representatives/draw", r.draw, methods=["POST"]),
        Route("/api/representatives/draw", r.draws, methods=["GET"]),
        Route("/api/representatives/draw.csv", r.draw_list_csv, methods=["GET"]),
        Route("/api/representatives/seats", r.seats, methods=["POST"]),
    ]
