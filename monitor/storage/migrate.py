"""Alembic, configured in code so it works from an installed package (no alembic.ini).

`upgrade(engine)` applies every migration in `migrations/versions/`; `check(engine)` raises
`StorageError` when the database is not at the head revision, telling the user what to run.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from monitor.errors import StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        url = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StorageError(f"cannot open database {url}: {reason}") from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def check(engine: Engine) -> None:
    """Refuse a database that is not at this slamon's head revision."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    url = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise StorageError(
            f"database {url} has no slamon tables yet (revision none, this slamon needs "
            f"{head}); run `slamon db upgrade` first"
        )
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current in known:
        raise StorageError(
            f"database {url} is at revision {current}, older than this slamon's {head}; "
            "run `slamon db upgrade`"
        )
    raise StorageError(
        f"database {url} is at revision {current}, which this slamon does not know "
        f"(newer software wrote it?); this slamon needs {head}"
    )
