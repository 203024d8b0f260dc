"""`slamon import` and `slamon evaluate --db` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.storage import Store
from tests.conftest import ROOT

ACME = str(ROOT / "contracts" / "acme-connect-2026.yaml")
EXAMPLE_INTERVALS = ROOT / "examples" / "acme-2026-10-intervals.csv"
EXAMPLE_OUTAGES = ROOT / "examples" / "acme-2026-10-outages.csv"
BILLING = "f8c742b9-b5ef-4948-8bbf-9a33c892023f"
HEADER = "queue,interval_start,interval_minutes,offered,answered,abandoned,answered_within_20s\n"
ROWS = [
    f"{BILLING},2026-10-05T12:00:00Z,30,10,9,1,8\n",
    "Billing,2026-10-05T12:30:00Z,30,12,12,0,11\n",  # by name: stored as the queue id
    f"{BILLING},2026-10-05T13:00:00Z,30,7,6,1,6\n",
]


@pytest.fixture
def db(store_url: str) -> str:
    assert main(["db", "upgrade", "--db", store_url]) == 0
    return store_url


def csv(tmp_path: Path, name: str, rows: list[str]) -> str:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows))
    return str(path)


def stored(db: str) -> list[tuple[str, int, int]]:
    store = Store.open(db)
    frame = store.load_intervals("acme-connect-2026", datetime(2026, 10, 1, tzinfo=UTC),
                                 datetime(2026, 11, 1, tzinfo=UTC))
    store.close()
    if frame.empty:
        return []
    return list(zip(frame["queue"], frame["offered"], frame["answered_within_20s"],
                    strict=True))


def imp(*args: str) -> list[str]:
    return ["import", "intervals", *args, "--contract", ACME]


def test_importing_a_file_twice_adds_rows_once_and_says_so(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = csv(tmp_path, "oct.csv", ROWS)
    assert main([*imp(path), "--db", db]) == 0
    assert "3 intervals for contract acme-connect-2026: 3 new, 0 updated, 0 unchanged" \
        in capsys.readouterr().out
    assert main([*imp(path), "--db", db]) == 0
    assert "0 new, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert stored(db) == [(BILLING, 10, 8), (BILLING, 12, 11), (BILLING, 7, 6)]


def test_a_corrected_file_updates_one_interval_and_records_the_correction(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([*imp(csv(tmp_path, "oct.csv", ROWS)), "--db", db])
    fixed = [ROWS[0], ROWS[1], f"{BILLING},2026-10-05T13:00:00Z,30,7,7,0,7\n"]
    assert main([*imp(csv(tmp_path, "oct-fixed.csv", fixed)), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "0 new, 1 updated, 2 unchanged" in out
    assert "1 corrections recorded" in out
    [c] = Store.open(db).corrections("acme-connect-2026")
    assert (c.old, c.new) == ({"answered": 6, "abandoned": 1, "answered_within_20s": 6},
                              {"answered": 7, "abandoned": 0, "answered_within_20s": 7})
    assert c.source is not None
    assert c.source.endswith("oct-fixed.csv")


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = [ROWS[0], ROWS[1], f"{BILLING},2026-10-05T13:00:00Z,30,seven,6,1,6\n"]
    path = csv(tmp_path, "bad.csv", bad)
    assert main([*imp(path), "--db", db]) == 1
    assert f"{path}:4: offered: 'seven' is not a non-negative whole number" \
        in capsys.readouterr().err
    assert stored(db) == []


def test_outages_import_for_every_contract_only_when_asked_for_explicitly(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    every = ["import", "outages", str(EXAMPLE_OUTAGES), "--all-contracts", "--db", db]
    assert main(every) == 0
    assert "for every contract: 3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(every) == 0
    assert "0 new, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_outages_without_a_contract_are_refused_and_store_nothing(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # The README's own command once stored Amazon Connect's outages for every contract, and
    # the Genesys contract then claimed a credit for an outage that was not its vendor's.
    assert main(["import", "outages", str(EXAMPLE_OUTAGES), "--db", db]) == 2
    assert "give --contract ID" in capsys.readouterr().err
    assert main(["import", "outages", str(EXAMPLE_OUTAGES), "--contract", ACME,
                 "--all-contracts", "--db", db]) == 2
    store = Store.open(db)
    try:
        assert store.load_outages("acme-connect-2026", datetime(2026, 1, 1, tzinfo=UTC),
                                  datetime(2027, 1, 1, tzinfo=UTC)) == ()
    finally:
        store.close()


def test_outages_of_one_contract_never_reach_another(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "outages", str(EXAMPLE_OUTAGES), "--contract", ACME,
                 "--db", db]) == 0
    store = Store.open(db)
    try:
        span = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
        assert len(store.load_outages("acme-connect-2026", *span)) == 3
        assert store.load_outages("globex-genesys-2026", *span) == ()
    finally:
        store.close()


def test_evaluate_from_the_database_gives_the_same_json_as_from_the_files(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*imp(str(EXAMPLE_INTERVALS)), "--db", db]) == 0
    assert main(["import", "outages", str(EXAMPLE_OUTAGES), "--contract", ACME,
                 "--db", db]) == 0
    capsys.readouterr()
    common = ["evaluate", "--contract", ACME, "--period", "2026-10",
              "--as-of", "2026-11-02T00:00:00Z", "--json"]
    assert main([*common, "--intervals", str(EXAMPLE_INTERVALS),
                 "--outages", str(EXAMPLE_OUTAGES)]) == 0
    from_files = json.loads(capsys.readouterr().out)
    assert main([*common, "--db", db]) == 0
    from_db = json.loads(capsys.readouterr().out)
    assert from_db == from_files
    assert len(from_db["slas"]) == 5
