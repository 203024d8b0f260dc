"""Sign-in, sessions, CSRF and the login rate limit.

Sessions are Starlette's signed cookies (itsdangerous, HMAC with the console secret;
HttpOnly, SameSite=Lax, `Secure` with `--secure-cookies`). A session holds the user name,
the user's `stamp` when it was issued (a password change, disable or role change draws a
new stamp, which signs the old sessions out) and the CSRF token. A cookie signed with
another secret, or an expired one, reads as an empty session: signed out.

CSRF: every state-changing request is a POST carrying the session's token in the `csrf`
form field, compared in constant time. `checked_form` is the only way a handler reads a
POST body, so no handler can forget the check; the permission is checked first, so a
viewer's POST is refused whatever the token.

Passwords: argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile). An unknown user
name still costs one verification against a dummy hash, so timing does not tell which
names exist. The rate limit counts failed sign-ins per user name and per address in a
sliding window, in this process's memory (the console is one process); a locked name
answers 429 without checking the password at all.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from monitor.console.permissions import Permission, can
from monitor.errors import InputError

if TYPE_CHECKING:
    from monitor.console.state import Console

MIN_PASSWORD = 12
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password too short: at least {MIN_PASSWORD} characters",
                         column="password")
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    via: str  # "session" | "proxy"

    def can(self, permission: Permission) -> bool:
        return can(self.role, permission)


class NotSignedIn(Exception):
    """Raised by `require`; the app answers with a redirect to the sign-in page."""


@dataclass
class LoginLimiter:
    """At most `per_user` failures per user name and `per_address` per address in `window`."""

    per_user: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    _failures: dict[str, deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _limits(self, username: str, address: str) -> Iterable[tuple[str, int]]:
        return ((f"user:{username.lower()}", self.per_user),
                (f"addr:{address}", self.per_address))

    def wait(self, username: str, address: str, now: datetime) -> timedelta | None:
        """None when a sign-in may be tried now, else how long until it may."""
        with self._lock:
            longest: timedelta | None = None
            for key, limit in self._limits(username, address):
                times = self._recent(key, now)
                if len(times) >= limit:
                    until = times[len(times) - limit] + self.window - now
                    longest = until if longest is None else max(longest, until)
            return longest

    def failed(self, username: str, address: str, now: datetime) -> None:
        with self._lock:
            for key, _ in self._limits(username, address):
                self._recent(key, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{username.lower()}", None)


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def client_address(request: Request) -> str:
    """The TCP peer; behind the trusted proxy, the address the proxy appended."""
    peer = request.client.host if request.client else ""
    proxy = console_of(request).settings.trusted_proxy
    if proxy and peer == proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:100]
    return peer


def _from_proxy(request: Request, console: Console) -> Principal | None:
    settings = console.settings
    if settings.trusted_proxy is None or request.client is None:
        return None
    if request.client.host != settings.trusted_proxy:
        return None  # the header means nothing from anyone but the proxy
    name = request.headers.get(settings.proxy_header, "").strip()
    if not name:
        return None
    user = console.users.get(name)
    if user is None or user.disabled:
        return None
    return Principal(user.username, user.role, "proxy")


def _from_session(request: Request, console: Console) -> Principal | None:
    name, stamp = request.session.get("u"), request.session.get("s")
    if not isinstance(name, str) or not isinstance(stamp, str):
        return None
    user = console.users.get(name)
    if user is None or user.disabled or not hmac.compare_digest(user.stamp, stamp):
        request.session.pop("u", None)
        request.session.pop("s", None)
        return None
    return Principal(user.username, user.role, "session")


def principal(request: Request) -> Principal | None:
    """Who is asking (cached for the request): the proxy's user, else the session's."""
    if "slamon.principal" not in request.scope:
        console = console_of(request)
        request.scope["slamon.principal"] = (_from_proxy(request, console)
                                      or _from_session(request, console))
    found: Principal | None = request.scope["slamon.principal"]
    return found


def require(request: Request, permission: Permission) -> Principal:
    who = principal(request)
    if who is None:
        raise NotSignedIn
    if not who.can(permission):
        from monitor.console.audit import audit

        audit(request, "refused", request.url.path, f"role {who.role} lacks {permission}",
              outcome="refused")
        raise HTTPException(403, f"Your role ({who.role}) may not do this.")
    return who


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request,
                       permission: Permission | None) -> tuple[Principal | None, FormData]:
    """The POST body, after the permission (when given) and the CSRF token are checked."""
    who = require(request, permission) if permission is not None else principal(request)
    form = await request.form()
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    if not (isinstance(sent, str) and isinstance(expected, str)
            and hmac.compare_digest(sent.encode(), expected.encode())):
        from monitor.console.audit import audit

        audit(request, "refused", request.url.path, "missing or wrong CSRF token",
              outcome="refused")
        raise HTTPException(403, "The form was stale or not sent from this console "
                                 "(CSRF check failed). Reload the page and try again.")
    return who, form


def sign_in(request: Request, username: str, stamp: str) -> None:
    """A fresh session (a new CSRF token too): nothing carries over from before sign-in."""
    request.session.clear()
    request.session.update({"u": username, "s": stamp, "csrf": secrets.token_urlsafe(32)})
    request.scope.pop("slamon.principal", None)


def sign_out(request: Request) -> None:
    request.session.clear()
    request.scope.pop("slamon.principal", None)
