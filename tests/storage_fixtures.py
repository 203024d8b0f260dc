"""Database fixtures for both backends, for every test that touches storage.

    def test_something(store: Store) -> None: ...     # runs twice: sqlite and postgresql

`store` yields a fresh, migrated `Store`: on SQLite a file in tmp_path, on PostgreSQL a new
schema (dropped afterwards) in the server at SLAMON_TEST_PG_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test). `store_url` yields the URL of an empty
database of the same kind (not migrated), for tests that run `slamon` or a subprocess;
`pg_url` is the PostgreSQL one alone. An unreachable PostgreSQL skips locally and fails
under CI (`missing`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from monitor.storage import Store
from tests.conftest import missing

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]


def pg_base_url() -> str:
    return os.environ.get("SLAMON_TEST_PG_URL", DEFAULT_PG_URL)


def url_with_schema(url: str, schema: str) -> str:
    """A PostgreSQL URL whose connections see only `schema` (search_path)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[sa.Engine | None]:
    engine = sa.create_engine(pg_base_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception:  # any failure to connect means "not available"
        engine.dispose()
        yield None
        return
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(_pg_admin: sa.Engine | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL schema (dropped after the test), as a URL."""
    if _pg_admin is None:
        missing(f"PostgreSQL at {pg_base_url()}")
        raise AssertionError  # unreachable
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with _pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url_with_schema(pg_base_url(), schema)
    finally:
        with _pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL on each backend (not migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'slamon.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A fresh, migrated Store on each backend."""
    s = Store.open(store_url, check_revision=False)
    s.upgrade()
    try:
        yield s
    finally:
        s.close()
