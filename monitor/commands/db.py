"""`slamon db`: the database's schema revision.

    slamon db upgrade [--db URL]     apply every migration this slamon ships
    slamon db current [--db URL]     print the database's revision and this slamon's head

The URL comes from --db, else SLAMON_DATABASE_URL, else sqlite:///slamon.db.
"""

from __future__ import annotations

import argparse

from monitor.config import database_url
from monitor.storage import Store
from monitor.storage.migrate import current_revision, head_revision

HELP = "Create or upgrade the database schema (Alembic migrations)."


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    sub.required = True
    for name, text in (("upgrade", "apply every pending migration"),
                       ("current", "show the database revision and the head revision")):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--db", metavar="URL", help="database URL (default: "
                       "SLAMON_DATABASE_URL or sqlite:///slamon.db)")


def run(args: argparse.Namespace) -> int:
    store = Store.open(database_url(args.db), check_revision=False)
    try:
        url = store.engine.url.render_as_string(hide_password=True)
        if args.db_command == "upgrade":
            before = current_revision(store.engine)
            store.upgrade()
            after = current_revision(store.engine)
            if before == after:
                print(f"{url}: already at revision {after}")
            else:
                print(f"{url}: upgraded from {before or 'empty'} to {after}")
            return 0
        current, head = current_revision(store.engine), head_revision()
        state = "up to date" if current == head else "needs `slamon db upgrade`"
        print(f"{url}: revision {current or 'none'}, head {head} ({state})")
        return 0
    finally:
        store.close()
