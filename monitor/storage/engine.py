"""Engines for the two supported backends.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every transaction
starts with `BEGIN IMMEDIATE`: a read-then-write ingest can then never fail half-way with
"database is locked" when another process writes too; it waits its turn instead.
PostgreSQL runs through psycopg 3; a URL without a driver gets `+psycopg`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from monitor.errors import StorageError

DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


def normalise_url(url: str) -> str:
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 -- a port that is not a number raises only when read
    except (ArgumentError, ValueError):  # the text is not echoed: it may hold a password
        raise StorageError("the database URL (--db or SLAMON_DATABASE_URL) is not a URL; "
                           "write sqlite:///slamon.db or postgresql+psycopg://user@host/db")\
            from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in DRIVERS:  # an unknown driver was a NoSuchModuleError
        raise StorageError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or "
                           "postgresql+psycopg://")
    return parsed.render_as_string(hide_password=False)


def missing_sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names when it does not exist (connecting would create it)."""
    parsed = make_url(normalise_url(url))
    db = parsed.database
    if parsed.get_backend_name() != "sqlite" or not db or db == ":memory:" \
            or db.startswith("file:") or "uri" in parsed.query:
        return None
    return None if Path(db).exists() else Path(db)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60}, **kwargs)
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            try:
                cur.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as exc:  # a read-only file still reads: listing
                if "readonly" not in str(exc):  # commands work, writes say why they fail
                    raise
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
