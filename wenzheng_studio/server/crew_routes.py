"""HTTP routes of the crew: operators (director only), sign-in codes, and who am I.

A console on an operator's PC signs in with a one-time code (`POST /api/signin`) and gets a
token of its own; `GET /signin?code=…`, the link in the director's QR code, is a page that
tells a person to paste that link into the console: a browser never receives a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from ..core.errors import DomainError
from ..core.operators import OPERATORS, ROLE_NAMES, ROLES
from .ratelimit import KeyedLimiter

if TYPE_CHECKING:
    from .http import HttpApi

NO_STORE = {"Cache-Control": "no-store"}
SIGNIN_TRIES_PER_MINUTE = 10  # per address: a code has 31^8 values, guessing gets nowhere

SIGNIN_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>问政演播室 · 登录</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.6}
code{font-size:1.4em;background:#eee;padding:.1em .4em}</style></head><body>
<h1>在工作电脑上登录</h1>
<p>这是问政演播室的一次性登录链接。请在您的工作电脑上打开对应的控制台
（<code>wenzheng-studio screener</code>、<code>wenzheng-studio review</code>），把这个链接或下面的登录码粘贴进去。</p>
<p>登录码：<code id="code"></code></p>
<p>登录码 10 分钟内有效，只能使用一次。浏览器不会登录，也不保存任何凭证。</p>
<script>document.getElementById("code").textContent=new URLSearchParams(location.search).get("code")||"";</script>
</body></html>"""


class CrewRoutes:
    def __init__(self, api: "HttpApi"):
        self.api = api
        self.signin_limiter = KeyedLimiter(SIGNIN_TRIES_PER_MINUTE, per=60.0)

    async def create(self, request: Request):
        actor = self.api.require(request, OPERATORS)
        op, token = await self.api.engine.create_operator(await self.api.read_json(request), actor)
        return JSONResponse({**op.view(), "token": token}, status_code=201, headers=NO_STORE)

    async def list(self, request: Request):
        actor = self.api.require(request, OPERATORS)
        return JSONResponse({"operators": [op.view() for op in self.api.engine.operators(actor)],
                             "roles": [{"role": r, "name": ROLE_NAMES[r]} for r in ROLES]}, headers=NO_STORE)

    async def revoke(self, request: Request):
        actor = self.api.require(request, OPERATORS)
        op = await self.api.engine.revoke_operator(request.path_params["id"], actor)
        return JSONResponse(op.view(), headers=NO_STORE)

    async def signin_code(self, request: Request):
        actor = self.api.require(request, OPERATORS)
        code, expires = await self.api.engine.issue_signin_code(request.path_params["id"], actor)
        return JSONResponse({"code": code, "expires_at": expires,
                             "url": f"{self.api.public_url()}/signin?code={code}"}, status_code=201, headers=NO_STORE)

    async def signin(self, request: Request):
        if not self.signin_limiter.take(self.api.client_ip(request)):
            raise DomainError("rate_limited", "too many sign-in attempts from this address; wait a minute", 429)
        body = await self.api.read_json(request)
        code = body.get("code") if isinstance(body, dict) else None
        op, token = await self.api.engine.redeem_signin_code(code)
        return JSONResponse({"token": token, "id": op.id, "name": op.name, "role": op.role}, headers=NO_STORE)

    async def whoami(self, request: Request):
        actor = self.api.require_operator(request)
        return JSONResponse({**actor.record(), "role_name": ROLE_NAMES[actor.role]}, headers=NO_STORE)

    async def page(self, request: Request):
        return HTMLResponse(SIGNIN_PAGE, headers={**NO_STORE, "Referrer-Policy": "no-referrer"})


def routes(api: "HttpApi") -> list[Route]:
    crew = CrewRoutes(api)
    return [
        Route("/api/operators", crew.create, methods=["POST"]),
        Route("/api/operators", crew.list, methods=["GET"]),
        Route("/api/operators/{id}", crew.revoke, methods=["DELETE"]),
        Route("/api/operators/{id}/signin", crew.signin_code, methods=["POST"]),
        Route("/api/signin", crew.signin, methods=["POST"]),
        Route("/api/whoami", crew.whoami, methods=["GET"]),
        Route("/signin", crew.page, methods=["GET"]),
    ]
