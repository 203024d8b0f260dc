"""The interchange formats: interval CSV, outage CSV, evaluation JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from monitor.domain.contract import Queue
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.domain.periods import period_for
from monitor.errors import InputError
from monitor.interchange import (
    InterchangeWarning,
    evaluation_to_json,
    read_intervals,
    read_outages,
    write_intervals,
)
from tests.factories import BILLING, contract, sla

HEADER = "queue,interval_start,interval_minutes,offered,answered,abandoned,answered_within_20s"
GOOD = f"{BILLING},2026-10-01T08:00:00-04:00,30,10,9,1,8"


def write(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_it_reads_a_valid_file_into_utc_timestamps_and_integer_counts(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n{GOOD}\nBilling,2026-10-01T12:30:00Z,30,20,18,2,15\n")
    frame = read_intervals(path, contract())
    assert list(frame["queue"]) == [BILLING, BILLING]  # the name "Billing" became the id
    assert list(frame["channel"]) == ["voice", "voice"]
    assert frame["interval_start"].dt.tz is not None
    assert list(frame["interval_start"]) == [pd.Timestamp("2026-10-01T12:00:00Z"),
                                             pd.Timestamp("2026-10-01T12:30:00Z")]
    assert frame["offered"].tolist() == [10, 20]
    assert str(frame["answered_within_20s"].dtype) == "int64"


def test_without_a_channel_column_the_contract_gives_the_queue_its_channel(
    tmp_path: Path,
) -> None:
    c = contract(queues=(Queue(BILLING, "Billing", "voice"), Queue("chat-1", "Web Chat", "chat")))
    path = write(tmp_path, f"{HEADER}\n{GOOD}\nWeb Chat,2026-10-01T12:00:00Z,30,5,5,0,5\n")
    assert list(read_intervals(path, c)["channel"]) == ["voice", "chat"]
    assert list(read_intervals(path)["channel"]) == ["voice", "voice"]


def test_it_warns_about_unknown_columns_and_drops_them(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},agent_mood\n{GOOD},happy\n")
    with pytest.warns(InterchangeWarning, match="agent_mood: unknown column ignored"):
        frame = read_intervals(path)
    assert "agent_mood" not in frame.columns


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        pytest.param("queue,interval_start,interval_minutes,offered,answered\n"
                     f"{BILLING},2026-10-01T08:00:00Z,30,1,1\n", 1, "abandoned",
                     "required column is missing", id="a missing required column names line 1"),
        pytest.param(f"{HEADER}\n{GOOD}\n{BILLING},2026-10-01T08:30:00Z,30,ten,9,1,8\n", 3,
                     "offered", "'ten' is not a non-negative whole number",
                     id="a non-numeric count names its line and column"),
        pytest.param(f"{HEADER}\n{BILLING},2026-10-01T08:30:00Z,30,-1,0,0,0\n", 2, "offered",
                     "not a non-negative whole number", id="a negative count is refused"),
        pytest.param(f"{HEADER}\n{GOOD}\n{GOOD.replace('08:00', '08:30')}\n"
                     f"{BILLING},2026-10-01T13:00:00Z,30,5,6,0,0\n", 4, "answered",
                     "answered > offered (6 > 5)", id="answered above offered is refused"),
        pytest.param(f"{HEADER}\n{BILLING},2026-10-01T08:30:00,30,5,5,0,0\n", 2,
                     "interval_start", "has no UTC offset", id="a naive timestamp is refused"),
        pytest.param(f"{HEADER}\n{BILLING},yesterday+01:00,30,5,5,0,0\n", 2, "interval_start",
                     "is not an ISO 8601 timestamp", id="a garbled timestamp is refused"),
        pytest.param(f"{HEADER}\nSales,2026-10-01T08:30:00Z,30,5,5,0,0\n", 2, "queue",
                     "unknown queue 'Sales'", id="a queue the contract does not list is refused"),
        pytest.param(f"{HEADER}\n{BILLING},2026-10-01T08:30:00Z,45,5,5,0,0\n", 2,
                     "interval_minutes", "45 is not one of 15, 30, 60",
                     id="an interval length other than 15 30 60 is refused"),
        pytest.param(f"{HEADER}\n{BILLING},2026-10-01T08:30:00Z,30,5,5,0,6\n", 2,
                     "answered_within_20s", "answered_within_20s > answered",
                     id="more answered within threshold than answered is refused"),
        pytest.param(f"{HEADER}\n{GOOD}\nBilling,2026-10-01T12:00:00Z,30,5,5,0,0\n", 3,
                     "interval_start", "a second row for queue",
                     id="a duplicate queue interval is refused"),
        pytest.param(f"{HEADER}\n{BILLING},2026-10-01T08:30:00Z,30,5,4,2,0\n", 2, "abandoned",
                     "answered + abandoned > offered", id="more outcomes than offers is refused"),
    ],
)
def test_bad_interval_files_name_file_line_and_column(
    tmp_path: Path, text: str, line: int, column: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_intervals(path, contract())
    error = info.value
    assert (error.file, error.line, error.column) == (str(path), line, column)
    assert message in str(error)
    assert str(error).startswith(f"{path}:{line}: {column}: ")


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_intervals(tmp_path / "nope.csv")


def test_written_intervals_read_back_identically(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n")
    frame = read_intervals(path)
    out = tmp_path / "out.csv"
    write_intervals(frame, out)
    again = read_intervals(out)
    pd.testing.assert_frame_equal(frame, again)
    assert "2026-10-01T12:00:00Z" in out.read_text()


OUTAGE_HEADER = "service,start,end,impact,affected_fraction,excluded,source,ref"


def test_it_reads_outages_with_open_ends_and_flags(tmp_path: Path) -> None:
    path = write(tmp_path, f"{OUTAGE_HEADER}\n"
                 "voice,2026-10-07T14:02:00-04:00,2026-10-07T14:37:00-04:00,full,,,probe,P1\n"
                 "ccp,2026-10-18T02:10:00Z,,partial,0.25,true,,\n")
    first, second = read_outages(path)
    assert first.service == "voice"
    assert first.impact == "full"
    assert (first.end - first.start).total_seconds() == 35 * 60  # type: ignore[operator]
    assert first.affected_fraction == 1.0
    assert not first.excluded
    assert first.ref == "P1"
    assert second.end is None
    assert second.excluded
    assert second.affected_fraction == 0.25
    assert second.start == datetime(2026, 10, 18, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        pytest.param("voice,2026-10-07T14:02:00,,full,,,,", "start", "no UTC offset",
                     id="a naive outage start is refused"),
        pytest.param("voice,2026-10-07T14:02:00Z,2026-10-07T13:00:00Z,full,,,,", "end",
                     "end is before start", id="an outage ending before it starts is refused"),
        pytest.param("voice,2026-10-07T14:02:00Z,,broken,,,,", "impact",
                     "'broken' is not one of full, partial, degraded",
                     id="an unknown impact is refused"),
        pytest.param("voice,2026-10-07T14:02:00Z,,partial,1.5,,,", "affected_fraction",
                     "not between 0 and 1", id="an affected fraction above 1 is refused"),
    ],
)
def test_bad_outage_rows_name_line_and_column(
    tmp_path: Path, row: str, column: str, message: str
) -> None:
    path = write(tmp_path, f"{OUTAGE_HEADER}\nvoice,2026-10-01T00:00:00Z,,full,,,,\n{row}\n")
    with pytest.raises(InputError) as info:
        read_outages(path)
    assert (info.value.line, info.value.column) == (3, column)
    assert message in str(info.value)


def test_the_evaluation_json_has_the_documented_shape(tmp_path: Path) -> None:
    from datetime import timedelta

    c = contract([sla("service-level-voice", threshold=timedelta(seconds=20))])
    path = write(tmp_path, "queue,interval_start,interval_minutes,offered,answered,abandoned,"
                 "answered_within_20s,abandoned_within_20s\n"
                 f"{BILLING},2026-10-01T12:00:00Z,30,1060,1000,60,860,20\n")
    frame = read_intervals(path, c)
    period = period_for(c, "2026-10")
    evaluation = evaluate(c, Measurements(frame), period, datetime(2026, 11, 2, tzinfo=UTC))
    doc = evaluation_to_json(evaluation)
    json.dumps(doc)  # serialisable as is
    assert doc["contract"] == "test-contract"
    assert doc["period"] == {"label": "2026-10", "start": "2026-10-01T00:00:00-04:00",
                             "end": "2026-11-01T00:00:00-04:00"}
    assert doc["status"] == "provisional"
    assert doc["credit_total"] == "0.00"
    (entry,) = doc["slas"]
    assert entry["value"] == 0.830189
    assert entry["target"] == 0.8
    assert entry["status"] == "met"
    assert entry["credit"] == "0.00"
    ev = entry["evidence"]
    assert (ev["numerator"], ev["denominator"], ev["intervals"]) == (880, 1060, 1)
    assert ev["excluded_minutes"] == 0
    assert ev["formula"] == "positive"
    assert ev["tier"] is None
    assert Decimal(str(entry["value"])) == Decimal("0.830189")
