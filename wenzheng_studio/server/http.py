"""HTTP routes (Starlette). JSON in and out; every refusal is a 4xx JSON error."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..core.errors import DomainError, invalid
from ..core.questions import phone_digits
from ..core.report import report_csv, report_data
from ..core.operators import ADMIN, CALLERS, POLLS, READ, SEATS, Actor, may, require
from ..core.text import refuse_unencodable
from . import crew_routes, draw_routes, exports, score_routes
from .auth import VoterTokens, bearer, same_secret
from .engine import Engine
from .qr import qr_svg
from .ratelimit import KeyedLimiter

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
DRAIN_CAP_BYTES = 1024 * 1024  # an oversize body up to this is read to its end, so its sender sees the 413
NO_STORE = {"Cache-Control": "no-store"}


def error(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=NO_STORE)


async def read_json(request: Request) -> Any:
    """The body as JSON, refusing oversize, non-UTF-8 and malformed bodies with a 4xx."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isascii() or not declared.isdigit() or int(declared) > DRAIN_CAP_BYTES):
        raise DomainError("too_large", f"body must be at most {MAX_BODY_BYTES} bytes", 413)
    too_large = declared is not None and int(declared) > MAX_BODY_BYTES
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        too_large = too_large or size > MAX_BODY_BYTES
        if too_large:
            # Read on (to DRAIN_CAP_BYTES) instead of answering mid-upload: closing a socket
            # with unread data resets it, and the client would see a reset, not the 413.
            if size > DRAIN_CAP_BYTES:
                break
            continue
        chunks.append(chunk)
    if too_large:
        raise DomainError("too_large", f"body must be at most {MAX_BODY_BYTES} bytes", 413)
    raw = b"".join(chunks)
    if not raw.strip():
        return None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise DomainError("bad_json", f"body is not valid UTF-8 JSON: {exc}", 400) from None
    refuse_unencodable(body)  # "\ud800" is valid JSON but no text the store can keep
    return body


def _client_ip(request: Request) -> str:
    """The key of the per-IP limits: the socket's peer, or, only when that peer is a proxy named
    with `serve --trusted-proxy`, the client it names in X-Forwarded-For (uvicorn rewrites
    `client`; see app.py). A forged header from anyone else changes nothing."""
    return request.client.host if request.client else "unknown"


class HttpApi:
    def __init__(self, engine: Engine, tokens: VoterTokens, admin_token: str, web_dir: Path,
                 public_url: Callable[[], str], voter_token_rate: int = 120, question_rate: int = 10):
        self.engine = engine
        self.tokens = tokens
        self.admin_token = admin_token
        self.web_dir = web_dir
        self.public_url = public_url
        self.voter_limiter = KeyedLimiter(voter_token_rate, per=60.0)
        self.question_limiter = KeyedLimiter(question_rate, per=60.0)

    read_json = staticmethod(read_json)  # for the route modules (exports, crew_routes)

    @staticmethod
    def client_ip(request: Request) -> str:
        return _client_ip(request)

    def actor(self, request: Request) -> Actor | None:
        """Who sends this request: the director (admin token), a crew member, or nobody."""
        token = bearer(request.headers.get("authorization"))
        if token is None:
            return None
        if same_secret(token, self.admin_token):
            return ADMIN
        return self.engine.actor_for(token)

    def require(self, request: Request, permission: str = READ) -> Actor:
        """The request's actor, once it may do `permission` (401 without one, 403 for its role)."""
        actor = self.actor(request)
        require(actor, permission)
        return actor

    def is_operator(self, request: Request) -> bool:
        """May see the operator views (every role may read)."""
        return may(self.actor(request), READ)

    def require_operator(self, request: Request) -> Actor:
        return self.require(request, READ)

    # --- routes ----------------------------------------------------------------------
    async def healthz(self, request: Request):
        problem = self.engine.health()  # a supervisor or load balancer must see a store that cannot write
        if problem is not None:
            return JSONResponse({"ok": False, "store": problem}, status_code=503, headers=NO_STORE)
        return JSONResponse({"ok": True})

    async def state(self, request: Request):
        return JSONResponse(self.engine.state(operator=self.is_operator(request)), headers=NO_STORE)

    async def scene(self, request: Request):
        data = self.engine.scene.to_dict()
        data["public_url"] = self.public_url()
        data["vote_url"] = self.public_url() + "/vote"
        data["rehearsal"] = self.engine.show.rehearsal  # 彩排: every view marks it
        return JSONResponse(data)

    async def voter(self, request: Request):
        if not self.voter_limiter.take(_client_ip(request)):
            raise DomainError("rate_limited", "too many voter tokens from this address; wait a minute", 429)
        return JSONResponse({"token": self.tokens.issue()}, headers=NO_STORE)

    async def seats(self, request: Request):
        actor = self.require(request, SEATS)
        issued = await self.engine.issue_seats(await read_json(request), actor)
        base = self.public_url()
        return JSONResponse({"seats": [
            {"seat": seat, "key": key, "url": f"{base}/vote?seat={quote(seat)}&key={quote(key)}"}
            for seat, key in issued]}, status_code=201)

    async def create_poll(self, request: Request):
        actor = self.require(request, POLLS)
        poll = await self.engine.create_poll(await read_json(request), actor)
        return JSONResponse({"id": poll.id, "poll": self.engine.poll_view(poll, operator=True)}, status_code=201)

    async def list_polls(self, request: Request):
        operator = self.is_operator(request)
        polls = [self.engine.poll_view(p, operator=operator) for p in self.engine.show.polls.values()
                 if operator or p.state != "draft"]
        return JSONResponse({"polls": polls}, headers=NO_STORE)

    async def get_poll(self, request: Request):
        operator = self.is_operator(request)
        poll = self.engine.show.poll(request.path_params["id"])
        if poll.state == "draft" and not operator:
            raise DomainError("not_found", f"no poll {request.path_params['id']!r}", 404)
        return JSONResponse(self.engine.poll_view(poll, operator=operator), headers=NO_STORE)

    async def poll_action(self, request: Request):
        actor = self.require(request, POLLS)
        action = request.path_params["action"]
        if action not in ("open", "close", "reveal", "attending"):
            raise DomainError("not_found", f"no poll action {action!r}", 404)
        body = await read_json(request)
        if body is not None and not isinstance(body, dict):
            raise invalid("body must be a JSON object")
        poll = await self.engine.poll_action(request.path_params["id"], action, body, actor)
        return JSONResponse(self.engine.poll_view(poll, operator=True))

    async def add_question(self, request: Request):
        actor = self.actor(request)  # a crew member's token: a hotline/studio question (screener, director)
        body = await read_json(request)
        if actor is None and not self.question_limiter.take(_client_ip(request)):
            raise DomainError("rate_limited", "too many questions from this address; wait a minute", 429)
        q = await self.engine.add_question(body, operator=actor is not None, actor=actor)
        return JSONResponse({"id": q.id}, status_code=201)

    async def list_questions(self, request: Request):
        self.require_operator(request)
        return JSONResponse({"questions": [q.view() for q in self.engine.show.questions_sorted()]}, headers=NO_STORE)

    async def caller_history(self, request: Request):
        """The hotline screener's look-up: earlier questions from the same phone number.
        The full number is returned only here, to an operator who already typed it."""
        self.require(request, CALLERS)
        digits = phone_digits(request.query_params.get("phone", ""))
        if not 7 <= len(digits) <= 20:
            raise invalid("phone must have 7 to 20 digits")
        found = [q.view(full_phone=True) for q in self.engine.show.questions.values()
                 if q.phone and phone_digits(q.phone) == digits]
        return JSONResponse({"questions": sorted(found, key=lambda q: -q["created_at"])}, headers=NO_STORE)

    async def report_csv(self, request: Request):
        self.require_operator(request)
        show = self.engine.show
        data = report_data(self.engine.scene.to_dict(), self.engine.state(operator=True),
                           [self.engine.poll_view(p, operator=True) for p in show.polls.values()],
                           [q.view() for q in show.questions_sorted()],
                           ranking=self.engine.ranking() if show.scores or show.hearing_scores() else None)
        return exports.csv_attachment(report_csv(data).encode("utf-8"), "wenzheng-report.csv")

    async def question_action(self, request: Request):
        actor = self.require_operator(request)  # the engine checks the action against the role
        q = await self.engine.question_action(request.path_params["id"], await read_json(request), actor)
        return JSONResponse(q.view())

    async def control(self, request: Request):
        actor = self.require_operator(request)  # the engine checks the action against the role
        return JSONResponse(await self.engine.control(await read_json(request), actor))

    async def qr(self, request: Request):
        return Response(qr_svg(self.public_url() + "/vote"), media_type="image/svg+xml", headers=NO_STORE)

    def page(self, name: str):
        async def serve(request: Request):
            path = self.web_dir / name
            if not path.is_file():
                raise DomainError("not_found", f"page {name} is not installed", 404)
            return FileResponse(path, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
        return serve

    # --- app -------------------------------------------------------------------------
    def app(self) -> Starlette:
        routes = [
            Route("/healthz", self.healthz),
            Route("/api/state", self.state),
            Route("/api/scene", self.scene),
            Route("/api/voter", self.voter, methods=["POST"]),
            Route("/api/seats", self.seats, methods=["POST"]),
            Route("/api/polls", self.create_poll, methods=["POST"]),
            Route("/api/polls", self.list_polls, methods=["GET"]),
            Route("/api/polls/{id}", self.get_poll, methods=["GET"]),
            *exports.routes(self),  # GET ballots.csv, summary.csv, audit
            *crew_routes.routes(self),  # operators, sign-in codes, whoami
            *score_routes.routes(self),  # 听证评议: POST scores, GET ranking
            *draw_routes.routes(self),  # 评议代表库: the pool, the draw, the drawn seat cards
            Route("/api/polls/{id}/{action}", self.poll_action, methods=["POST"]),
            Route("/api/questions", self.add_question, methods=["POST"]),
            Route("/api/questions", self.list_questions, methods=["GET"]),
            Route("/api/questions/history", self.caller_history, methods=["GET"]),
            Route("/api/report.csv", self.report_csv, methods=["GET"]),
            Route("/api/questions/{id}", self.question_action, methods=["POST"]),
            Route("/api/control", self.control, methods=["POST"]),
            Route("/qr.svg", self.qr),
            Route("/vote", self.page("vote.html")),
            Route("/overlay", self.page("overlay.html")),
            Route("/timer", self.page("timer.html")),  # the presenter's screen; ?view=clock the studio clock
            Route("/ask", self.page("ask.html")),
        ]
        if self.web_dir.is_dir():
            routes.append(Mount("/static", StaticFiles(directory=self.web_dir.parent), name="static"))
        return Starlette(
            routes=routes,
            middleware=[Middleware(GZipMiddleware, minimum_size=800)],
            exception_handlers={DomainError: _domain_error, HTTPException: _http_error, Exception: _crash},
        )


async def _domain_error(request: Request, exc: DomainError):
    return error(exc.code, exc.message, exc.status)


async def _http_error(request: Request, exc: HTTPException):
    codes = {404: "not_found", 405: "method_not_allowed"}
    return error(codes.get(exc.status_code, "http_error"), str(exc.detail), exc.status_code)


async def _crash(request: Request, exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error("internal", "the engine could not complete this request; nothing was changed", 500)
