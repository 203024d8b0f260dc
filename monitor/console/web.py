"""Rendering pages: one Jinja2 environment (autoescaping every template), the context every
page gets (who is signed in, the CSRF token, what the role may do), and safe redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from monitor.console.auth import csrf_token, principal
from monitor.console.permissions import Permission

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("monitor.console", "templates"),
    autoescape=True,  # every template, whatever its suffix: user input is never markup
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

NAV = (("Vendors", "/vendors", Permission.READ), ("Cases", "/cases", Permission.READ),
       ("Claims", "/claims", Permission.READ), ("Ledger", "/ledger", Permission.SEE_MONEY),
       ("Reports", "/reports", Permission.REPORTS), ("Audit", "/audit", Permission.AUDIT),
       ("Users", "/users", Permission.USERS))


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    who = principal(request)

    def allowed(permission: Permission) -> bool:
        return who is not None and who.can(permission)

    html = ENV.get_template(template).render(
        me=who, csrf=csrf_token(request), can=allowed, P=Permission,
        nav=[(label, href) for label, href, perm in NAV if allowed(perm)],
        path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def see_other(path: str) -> RedirectResponse:
    """303 after a POST, so a reload does not resubmit the form."""
    return RedirectResponse(path, status_code=303)


def safe_next(target: str | None) -> str:
    """Only a path on this site: `//evil.example` and `https://...` become `/`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
