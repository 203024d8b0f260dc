"""`slamon console`: the web console for procurement, on-call and admins.

    slamon console [--db URL] [--contracts-dir DIR] [--host 127.0.0.1] [--port 8180]
                   [--trusted-proxy ADDR [--proxy-user-header X-Forwarded-User]]
                   [--secure-cookies]

Binds to 127.0.0.1 unless told otherwise. The session secret comes from
SLAMON_CONSOLE_SECRET or SLAMON_CONSOLE_SECRET_FILE (see monitor/console/settings.py);
users are managed with `slamon users`. Contracts are read once at start.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from monitor.config import contracts_dir, database_url
from monitor.console.settings import DEFAULT_PROXY_HEADER

if TYPE_CHECKING:
    from monitor.console.state import Console

HELP = "Serve the web console (vendors, SLAs, cases, claims, reports) on 127.0.0.1."
DEFAULT_PORT = 8180
log = logging.getLogger("slamon.console")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL",
                        help="database URL (default: SLAMON_DATABASE_URL or sqlite:///slamon.db)")
    parser.add_argument("--contracts-dir", "--contracts", dest="contracts_dir", metavar="DIR",
                        help="contracts directory (default: $SLAMON_CONTRACTS or contracts)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--trusted-proxy", metavar="ADDR",
                        help="IP address of the single-sign-on reverse proxy whose user header "
                        "is believed (off by default)")
    parser.add_argument("--proxy-user-header", default=DEFAULT_PROXY_HEADER, metavar="NAME",
                        help=f"header naming the signed-in user (default {DEFAULT_PROXY_HEADER})")
    parser.add_argument("--secure-cookies", action="store_true",
                        help="mark the session cookie Secure (when served over https)")


def load_console(db: str | None, contracts: str | None, *, trusted_proxy: str | None = None,
                 proxy_header: str = DEFAULT_PROXY_HEADER,
                 secure_cookies: bool = False) -> Console:
    """The `Console` over the database and the contracts directory."""
    from monitor.console.settings import settings_from_env
    from monitor.console.state import Console
    from monitor.spec import load_contracts
    from monitor.storage import Store

    folder = contracts_dir(contracts)
    loaded, problems = load_contracts([folder]) if folder.is_dir() else ([], [])
    for problem in problems:
        log.log(logging.WARNING if problem.severity == "error" else logging.DEBUG,
                "event=contract_problem severity=%s problem=%r", problem.severity, str(problem))
    store = Store.open(database_url(db))
    settings = settings_from_env(trusted_proxy=trusted_proxy, proxy_header=proxy_header,
                                 secure_cookies=secure_cookies)
    return Console(store, {c.id: c for c in loaded}, settings)


def run(args: argparse.Namespace) -> int:
    from monitor.console.app import create_app
    from monitor.console.server import serve_forever

    console = load_console(args.db, args.contracts_dir, trusted_proxy=args.trusted_proxy,
                           proxy_header=args.proxy_user_header,
                           secure_cookies=args.secure_cookies)
    if not console.users.list():
        log.warning("event=no_console_users hint=%r",
                    "add one with `slamon users add NAME --role admin`")
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"slamon console on http://{shown}:{args.port}/ ({len(console.contracts)} "
          "contract(s); Ctrl-C to stop)", flush=True)
    try:
        serve_forever(create_app(console), args.host, args.port)
    finally:
        console.store.close()
    return 0
