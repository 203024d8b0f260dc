"""`slamon users`: the web console's local users.

    slamon users add NAME --role viewer|procurement|oncall|admin [--password-file F | --sso]
    slamon users passwd NAME [--password-file F]
    slamon users disable NAME | enable NAME
    slamon users list

The password is read from `--password-file` (its first line), else from
SLAMON_CONSOLE_PASSWORD, else asked for twice on the terminal; never from the command line,
where `ps` and the shell history would keep it. `--sso` adds a user with no password, who
can sign in only through the trusted reverse proxy. Disabling, a new password or a new role
signs the user's open sessions out.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from monitor.config import database_url
from monitor.console.permissions import ROLES
from monitor.errors import InputError

HELP = "Add, disable and set passwords of web console users."
PASSWORD_ENV = "SLAMON_CONSOLE_PASSWORD"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="users_command", metavar="ACTION")
    sub.required = True

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", metavar="URL", help="database URL (default: "
                       "SLAMON_DATABASE_URL or sqlite:///slamon.db)")

    p = sub.add_parser("add", help="add a user")
    common(p)
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ROLES)
    how = p.add_mutually_exclusive_group()
    how.add_argument("--password-file", type=Path, metavar="FILE")
    how.add_argument("--sso", action="store_true",
                     help="no password: signs in through the trusted proxy only")
    p = sub.add_parser("passwd", help="set a user's password")
    common(p)
    p.add_argument("name")
    p.add_argument("--password-file", type=Path, metavar="FILE")
    for verb in ("disable", "enable"):
        p = sub.add_parser(verb, help=f"{verb} a user")
        common(p)
        p.add_argument("name")
    p = sub.add_parser("list", help="list users")
    common(p)


def _password(path: Path | None) -> str:
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"--password-file {str(path)!r}: {exc.strerror or exc}",
                             column="--password-file") from None
        return lines[0] if lines else ""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise InputError(f"no password: give --password-file or {PASSWORD_ENV}",
                         column="--password-file")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise InputError("the two passwords differ", column="password")
    return first


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return str(os.getuid())


def run(args: argparse.Namespace) -> int:
    from monitor.console.auth import hash_password
    from monitor.console.pages_admin import check_username
    from monitor.storage import Store
    from monitor.storage.console_repository import AuditEntry, AuditLog, ConsoleUsers

    now = datetime.now(UTC)
    command = args.users_command
    store = Store.open(database_url(args.db))
    try:
        users = ConsoleUsers(store)
        if command == "list":
            for u in users.list():
                how = "password" if u.password_hash else "sso"
                state = "disabled" if u.disabled else "active"
                print(f"{u.username}\t{u.role}\t{how}\t{state}")
            return 0
        if command == "add":
            hashed = None if args.sso else hash_password(_password(args.password_file))
            users.add(check_username(args.name), args.role, hashed, now)
            detail = f"role {args.role}" + (", single sign-on" if args.sso else "")
            print(f"added {args.name} ({args.role})")
        elif command == "passwd":
            users.set_password(args.name, hash_password(_password(args.password_file)), now)
            detail = "password changed"
            print(f"password of {args.name} changed; their sessions are signed out")
        else:
            users.set_disabled(args.name, command == "disable", now)
            detail = f"{command}d"
            print(f"{args.name} {command}d")
        # the console's audit page shows what was done from the command line too
        AuditLog(store).record(AuditEntry(now, f"cli:{_os_user()}", f"user.{command}",
                                          args.name, detail=detail, address="local"))
    finally:
        store.close()
    return 0
