"""CSV drop folder: interchange files are imported, then moved to done/ or failed/."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.collectors import TimeWindow, build_collector
from monitor.collectors.csv_drop import CsvDropCollector
from monitor.domain.contract import Queue
from monitor.simulator import make_contract

FIX = Path(__file__).parent / "fixtures" / "csv_drop"
BILLING = "f8c742b9-b5ef-4948-8bbf-9a33c892023f"
WINDOW = TimeWindow(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
NOW = datetime(2026, 10, 6, 9, 30, tzinfo=UTC)


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    return tmp_path


def collector(folder: Path) -> CsvDropCollector:
    contract = make_contract("csv", (Queue(BILLING, "Billing"),),
                             settings={"path": str(folder)})
    built = build_collector(contract, clock=lambda: NOW)
    assert isinstance(built, CsvDropCollector)
    return built


def put(folder: Path, *names: str) -> None:
    for name in names:
        shutil.copy(FIX / name, folder / name)


def test_a_good_interval_file_is_imported_and_moved_to_done_after_commit(drop: Path) -> None:
    put(drop, "intervals_good.csv")
    csv_drop = collector(drop)
    result = csv_drop.collect(WINDOW)
    frame = result.intervals
    assert list(frame.queue) == [BILLING, BILLING]  # the name "Billing" mapped to the id
    assert list(frame.offered) == [40, 52]
    assert frame.interval_start.iloc[0] == datetime(2026, 10, 5, 12, tzinfo=UTC)
    assert (drop / "intervals_good.csv").exists()  # nothing moves before it is stored
    csv_drop.commit(result)
    assert not (drop / "intervals_good.csv").exists()
    assert (drop / "done" / "intervals_good.csv").exists()


def test_a_bad_file_goes_to_failed_with_the_reason_and_imports_nothing(drop: Path) -> None:
    put(drop, "intervals_bad.csv", "intervals_good.csv")
    result = collector(drop).collect(WINDOW)
    assert len(result.intervals) == 2  # only the good file's rows
    reason = (drop / "failed" / "intervals_bad.csv.reason.txt").read_text()
    assert "intervals_bad.csv:3" in reason
    assert "offered" in reason
    assert not (drop / "intervals_bad.csv").exists()
    assert result.problems[0].startswith("intervals_bad.csv: moved to failed/:")


def test_an_outage_file_gives_outages_and_announced_maintenances(drop: Path) -> None:
    put(drop, "outages.csv")
    result = collector(drop).collect(WINDOW)
    assert [(o.service, o.ref, o.excluded) for o in result.outages] == [
        ("voice", "INC-1042", False)]
    assert [(o.service, o.ref, o.excluded) for o in result.maintenances] == [
        ("voice", "MNT-77", True)]
    assert result.intervals.empty


def test_a_second_file_of_the_same_name_does_not_overwrite_the_first(drop: Path) -> None:
    csv_drop = collector(drop)
    for _ in range(2):
        put(drop, "intervals_good.csv")
        csv_drop.commit(csv_drop.collect(WINDOW))
    assert sorted(p.name for p in (drop / "done").iterdir()) == [
        "intervals_good.20261006T093000.csv", "intervals_good.csv"]


def test_an_empty_or_missing_folder_yields_nothing(drop: Path) -> None:
    assert collector(drop / "nowhere").collect(WINDOW).intervals.empty
