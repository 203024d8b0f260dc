"""The console application: routes, sessions, security headers and error pages.

    app = create_app(Console(store, contracts, settings))

Every page but the sign-in page needs a signed-in user; every POST goes through
`auth.checked_form` (permission, then CSRF). Responses carry a strict Content-Security-
Policy (no inline or foreign scripts: the console has no JavaScript), no framing, and
`no-store` caching, because pages hold contract money.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.console import (
    pages_admin,
    pages_auth,
    pages_cases,
    pages_claims,
    pages_reports,
    pages_vendors,
)
from monitor.console.auth import NotSignedIn
from monitor.console.state import Console
from monitor.console.web import login_redirect, page, see_other

SESSION_COOKIE = "slamon_console"
HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
     b"frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


async def home(request: Request) -> Response:
    return see_other("/vendors")


async def not_signed_in(request: Request, exc: Exception) -> Response:
    return login_redirect(request)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {400: "Not accepted", 403: "Not allowed", 404: "Not found",
              405: "Not allowed here", 409: "Not done"}
    return page(request, "error.html", status=exc.status_code,
                title=titles.get(exc.status_code, "Error"), message=exc.detail,
                code=exc.status_code)


def routes() -> list[BaseRoute]:
    static = StaticFiles(directory=Path(__file__).parent / "static")
    return [Route("/", home), Mount("/static", static, name="static"),
            *pages_auth.ROUTES, *pages_vendors.ROUTES, *pages_cases.ROUTES,
            *pages_reports.ROUTES, *pages_claims.ROUTES, *pages_admin.ROUTES]


def create_app(console: Console) -> Starlette:
    settings = console.settings
    handlers: dict[Any, Any] = {NotSignedIn: not_signed_in, HTTPException: http_error}
    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(SessionMiddleware, secret_key=settings.secret,
                       session_cookie=SESSION_COOKIE, max_age=settings.session_hours * 3600,
                       same_site="lax", https_only=settings.secure_cookies),
        ],
        exception_handlers=handlers,
    )
    app.state.console = console
    return app
