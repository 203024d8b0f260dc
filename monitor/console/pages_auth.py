"""Sign-in and sign-out pages."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.console.audit import audit
from monitor.console.auth import (
    checked_form,
    client_address,
    console_of,
    principal,
    sign_in,
    sign_out,
    verify_password,
)
from monitor.console.web import page, safe_next, see_other

WRONG = "Wrong user name or password, or the account is disabled."


async def login_form(request: Request) -> Response:
    if principal(request) is not None:
        return see_other(safe_next(request.query_params.get("next")))
    return page(request, "login.html", next=safe_next(request.query_params.get("next")),
                error=None, username="")


async def login(request: Request) -> Response:
    console = console_of(request)
    _, form = await checked_form(request, None)
    username = str(form.get("username", "")).strip()[:200]
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))
    address = client_address(request)
    now = console.now()
    wait = console.limiter.wait(username, address, now)
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        audit(request, "sign-in", username, "rate limited", outcome="refused", who=username)
        return page(request, "login.html", status=429, next=target, username=username,
                    error=f"Too many failed sign-ins. Try again in {minutes} minute(s).")
    user = console.users.get(username) if username else None
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        console.limiter.failed(username, address, now)
        audit(request, "sign-in", username, "wrong password, unknown or disabled user",
              outcome="failed", who=username or "-")
        return page(request, "login.html", status=401, next=target, username=username,
                    error=WRONG)
    console.limiter.succeeded(username)
    sign_in(request, user.username, user.stamp)
    audit(request, "sign-in", user.username, f"role {user.role}", who=user.username)
    return see_other(target)


async def logout(request: Request) -> Response:
    who, _ = await checked_form(request, None)
    if who is not None:
        audit(request, "sign-out", who.username)
    sign_out(request)
    return see_other("/login")


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
