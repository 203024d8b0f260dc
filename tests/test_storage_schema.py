"""Migrations: the schema comes from Alembic, matches the models, and old databases are
refused with a message that says what to run."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.cli import main
from monitor.errors import StorageError
from monitor.storage import Store
from monitor.storage.migrate import current_revision, head_revision, upgrade
from monitor.storage.models import Base


def test_the_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_a_database_without_tables_is_refused_with_the_command_to_run(store_url: str) -> None:
    with pytest.raises(StorageError, match=r"no slamon tables yet .*run `slamon db upgrade`"):
        Store.open(store_url)


def test_a_database_at_an_older_revision_is_refused_until_upgraded(store_url: str) -> None:
    old = Store.open(store_url, check_revision=False)
    upgrade(old.engine, "0001")
    head = head_revision()  # the newest migration: whichever branch merged last
    with pytest.raises(StorageError, match=rf"at revision 0001, older than this slamon's {head}; "
                       r"run `slamon db upgrade`"):
        Store.open(store_url)
    old.upgrade()
    assert current_revision(old.engine) == head
    Store.open(store_url).ping()
    old.close()


def test_slamon_db_upgrade_creates_the_schema_and_is_idempotent(
        store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--db", store_url]) == 0
    head = head_revision()
    assert f"upgraded from empty to {head}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", store_url]) == 0
    assert f"already at revision {head}" in capsys.readouterr().out
    assert main(["db", "current", "--db", store_url]) == 0
    assert f"revision {head}, head {head} (up to date)" in capsys.readouterr().out


def test_commands_against_an_unmigrated_database_exit_1_naming_the_fix(
        store_url: str, capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    assert main(["import", "outages", "/nonexistent.csv", "--all-contracts",
                 "--db", store_url]) == 1
    assert "run `slamon db upgrade`" in capsys.readouterr().err


def test_an_unreachable_database_is_a_clear_error_without_the_password(
        capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test"
    assert main(["db", "current", "--db", url]) == 1
    err = capsys.readouterr().err
    assert "cannot open database postgresql+psycopg://postgres:***@127.0.0.1:1/test" in err
    assert "s3cret" not in err
