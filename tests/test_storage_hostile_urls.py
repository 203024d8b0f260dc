"""A malformed database URL and a read-only SQLite file are one line each, never a
traceback (issue 17: a port that was not a number, an unknown driver and a read-only file
that broke even the listing commands all ended in Python tracebacks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import ROOT

URL_HELP = ("slamon: the database URL (--db or SLAMON_DATABASE_URL) is not a URL; write "
            "sqlite:///slamon.db or postgresql+psycopg://user@host/db\n")


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://u@db.example:notaport/slamon", URL_HELP),
    ("postgresql://u@[::1/slamon", URL_HELP),
    ("postgresql+nodriver://u@db.example/slamon",
     "slamon: unsupported database 'postgresql+nodriver': use sqlite:/// or "
     "postgresql+psycopg://\n"),
    ("mysql://u@db.example/slamon",
     "slamon: unsupported database 'mysql': use sqlite:/// or postgresql+psycopg://\n"),
], ids=["a port that is not a number", "an unclosed IPv6 bracket", "an unknown driver",
        "another database"])
def test_a_malformed_database_url_is_one_line(capsys: pytest.CaptureFixture[str], url: str,
                                              expected: str) -> None:
    assert main(["db", "upgrade", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err == expected
    assert "notaport" not in err  # the URL is not echoed: it may carry a password


def test_a_read_only_sqlite_file_lists_and_refuses_writes_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`mode=ro` opens the file read-only whoever runs the test (root ignores file modes);
    the file uses a rollback journal, as a copy made by a backup tool would."""
    import sqlite3

    db = tmp_path / "ro.db"
    assert main(["db", "upgrade", "--db", f"sqlite:///{db}"]) == 0
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    url = f"sqlite:///file:{db}?mode=ro&uri=true"
    capsys.readouterr()
    assert main(["notifications", "--db", url]) == 0
    assert capsys.readouterr().out.startswith("AT  KIND")
    intervals = tmp_path / "in.csv"
    intervals.write_text("queue,interval_start,interval_minutes,offered,answered,abandoned\n"
                         "Billing,2026-10-05T12:00:00Z,30,10,9,1\n")
    assert main(["import", "intervals", str(intervals), "--contract",
                 str(ROOT / "contracts" / "acme-connect-2026.yaml"), "--db", url]) == 1
    assert capsys.readouterr().err == (
        "slamon: the database is read-only: commands that only read work, this one writes "
        "(attempt to write a readonly database)\n")
