"""The console's settings: the session secret and the reverse-proxy mode.

The secret signs session cookies. It comes from `SLAMON_CONSOLE_SECRET` or from the file
named by `SLAMON_CONSOLE_SECRET_FILE` (one line; a mounted Kubernetes/Docker secret), never
from the command line (it would show in `ps`) nor from git. Without either, a random secret
is drawn for this process: fine on a laptop, but every restart signs everyone out.

The reverse-proxy mode (single sign-on through oauth2-proxy or the like) is off unless a
proxy address is configured: then a request whose TCP peer IS that address may name its
user in `proxy_header` (default `X-Forwarded-User`); from any other address the header is
ignored. The user must still exist in `console_users` (its role comes from there), so the
proxy authenticates and slamon authorises.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import InputError

SECRET_ENV = "SLAMON_CONSOLE_SECRET"
SECRET_FILE_ENV = "SLAMON_CONSOLE_SECRET_FILE"
MIN_SECRET = 32
DEFAULT_PROXY_HEADER = "X-Forwarded-User"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsoleSettings:
    secret: str
    trusted_proxy: str | None = None  # the proxy's IP address; None = proxy mode off
    proxy_header: str = DEFAULT_PROXY_HEADER
    secure_cookies: bool = False  # set when served over https (adds `Secure`)
    session_hours: int = 8


def read_secret(environ: Mapping[str, str] | None = None) -> str | None:
    """The secret from the environment or its file; None when neither is set."""
    env = os.environ if environ is None else environ
    if env.get(SECRET_ENV):
        secret = env[SECRET_ENV]
        where = SECRET_ENV
    elif env.get(SECRET_FILE_ENV):
        path = Path(env[SECRET_FILE_ENV])
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"{SECRET_FILE_ENV}={path}: cannot read it: "
                             f"{exc.strerror or exc}", column=SECRET_FILE_ENV) from None
        where = f"{SECRET_FILE_ENV} ({path})"
    else:
        return None
    if len(secret) < MIN_SECRET:
        raise InputError(f"{where}: the console secret must be at least {MIN_SECRET} "
                         f"characters (it is {len(secret)}); make one with "
                         "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`",
                         column=SECRET_ENV)
    return secret


def check_proxy_address(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        raise InputError(f"--trusted-proxy {address!r}: not an IP address (give the "
                         "proxy's own address, e.g. 127.0.0.1 or 10.0.0.5)",
                         column="--trusted-proxy") from None


def settings_from_env(*, trusted_proxy: str | None = None,
                      proxy_header: str = DEFAULT_PROXY_HEADER,
                      secure_cookies: bool = False,
                      environ: Mapping[str, str] | None = None) -> ConsoleSettings:
    secret = read_secret(environ)
    if secret is None:
        log.warning("event=console_secret_random missing=%s,%s effect=%r", SECRET_ENV,
                    SECRET_FILE_ENV, "a restart of the console signs everyone out")
        secret = secrets.token_urlsafe(48)
    proxy = check_proxy_address(trusted_proxy) if trusted_proxy else None
    return ConsoleSettings(secret=secret, trusted_proxy=proxy, proxy_header=proxy_header,
                           secure_cookies=secure_cookies)
