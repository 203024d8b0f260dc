"""The audit log page and user administration (admins): add, disable/enable, change role.
Passwords are set by the user's admin with `slamon users passwd` or at creation here."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.console import fmt
from monitor.console.audit import audit
from monitor.console.auth import checked_form, console_of, hash_password, require
from monitor.console.permissions import ROLES, Permission
from monitor.console.web import page, see_other
from monitor.errors import InputError

PAGE = 100
USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,200}$")


def check_username(name: str) -> str:
    if not USERNAME.fullmatch(name):
        raise InputError(f"user name {name!r}: use letters, digits and . _ @ + - "
                         "(an e-mail address is fine), at most 200", column="username")
    return name


async def audit_page(request: Request) -> Response:
    require(request, Permission.AUDIT)
    console = console_of(request)
    who = request.query_params.get("who") or None
    action = request.query_params.get("action") or None
    before = request.query_params.get("before")
    before_id = int(before) if before and before.isdigit() else None
    entries = console.audit_log.entries(limit=PAGE, before_id=before_id, who=who,
                                        action=action)
    return page(request, "audit.html", who=who or "", action=action or "",
                entries=[{"id": e.id, "at": fmt.when(e.at, None), "who": e.who,
                          "action": e.action, "target": e.target, "outcome": e.outcome,
                          "detail": e.detail, "address": e.address} for e in entries],
                older=entries[-1].id if len(entries) == PAGE else None)


async def users_page(request: Request) -> Response:
    require(request, Permission.USERS)
    console = console_of(request)
    return page(request, "users.html", users=console.users.list(), roles=ROLES,
                error=request.query_params.get("error"),
                when=lambda d: fmt.when(d, None))


async def add_user(request: Request) -> Response:
    _, form = await checked_form(request, Permission.USERS)
    console = console_of(request)
    username = str(form.get("username", "")).strip()
    role = str(form.get("role", ""))
    password = str(form.get("password", ""))
    try:
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", column="role")
        console.users.add(check_username(username), role, hash_password(password),
                          console.now())
    except InputError as exc:
        audit(request, "user.add", username, str(exc), outcome="failed")
        raise HTTPException(400, str(exc)) from None
    audit(request, "user.add", username, f"role {role}")
    return see_other("/users")


async def update_user(request: Request) -> Response:
    who, form = await checked_form(request, Permission.USERS)
    assert who is not None
    console = console_of(request)
    username = str(form.get("username", ""))
    change = str(form.get("change", ""))
    now = console.now()
    try:
        if change in ("disable", "enable"):
            if username == who.username and change == "disable":
                raise InputError("you cannot disable yourself", column="username")
            console.users.set_disabled(username, change == "disable", now)
        elif change == "role":
            role = str(form.get("role", ""))
            if role not in ROLES:
                raise InputError(f"unknown role {role!r}", column="role")
            console.users.set_role(username, role, now)
            change = f"role {role}"
        else:
            raise InputError(f"unknown change {change!r}", column="change")
    except InputError as exc:
        audit(request, "user.update", username, str(exc), outcome="failed")
        raise HTTPException(400, str(exc)) from None
    audit(request, "user.update", username, change)
    return see_other("/users")


ROUTES = [
    Route("/audit", audit_page),
    Route("/users", users_page),
    Route("/users/add", add_user, methods=["POST"]),
    Route("/users/update", update_user, methods=["POST"]),
]
