"""Hostile interval and outage CSV files (issue 17), through the public readers and
`slamon import` on both backends: counts stay exact integers, out-of-range values and
overlapping intervals are errors with their line, and a refused file stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from monitor.cli import main
from monitor.errors import InputError
from monitor.interchange import read_intervals, read_outages
from monitor.spec import load_contract
from monitor.storage import Store
from monitor.storage.bulk import read_frame
from tests.conftest import ROOT

ACME = ROOT / "contracts" / "acme-connect-2026.yaml"
BILLING = "f8c742b9-b5ef-4948-8bbf-9a33c892023f"
HEADER = "queue,interval_start,interval_minutes,offered,answered,abandoned\n"


@pytest.fixture(scope="module")
def acme():  # type: ignore[no-untyped-def]
    return load_contract(ACME)


def write(tmp_path: Path, text: str, name: str = "in.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def refused(path: Path, contract) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as caught:
        read_intervals(path, contract)
    return str(caught.value).removeprefix(f"{path}:")


ROW = f"{BILLING},2026-10-05T12:00:00Z,30,10,9,1\n"


@pytest.mark.parametrize(("rows", "expected"), [
    ([f"{BILLING},2026-10-05T12:00:00Z,30,9223372036854775808,0,0\n"],
     "2: offered: 9223372036854775808 is larger than 1,000,000,000,000, the most one "
     "interval may hold"),
    ([f"{BILLING},2026-10-05T12:00:00Z,30,12345678901234567890123,0,0\n"],
     "2: offered: 12345678901234567890123 is larger than 1,000,000,000,000, the most one "
     "interval may hold"),
    ([f"{BILLING},2026-10-05T12:00:00Z,30,\u0661\u0662,0,0\n"],
     "2: offered: '\u0661\u0662' is not a non-negative whole number written with digits 0-9"),
    ([f"{BILLING},2262-04-12T00:00:00Z,30,1,0,0\n"],
     "2: interval_start: '2262-04-12T00:00:00Z' is outside the term of contract "
     "acme-connect-2026 (2026-01-01 to 2028-12-31)"),
    ([f"{BILLING},1900-10-05T12:00:00Z,30,1,0,0\n"],
     "2: interval_start: '1900-10-05T12:00:00Z' is outside the term of contract "
     "acme-connect-2026 (2026-01-01 to 2028-12-31)"),
    ([ROW, f"{BILLING},2026-10-05T12:15:00Z,15,4,4,0\n"],
     "3: interval_start: overlaps the 30-minute interval at 2026-10-05T12:00:00+00:00 on line "
     "2 (queue 'f8c742b9-b5ef-4948-8bbf-9a33c892023f', voice); each contact must be counted "
     "in one interval only"),
    ([f"{BILLING},2026-10-05T11:00:00Z,60,4,4,0\n", f"{BILLING},2026-10-05T11:30:00Z,30,4,4,0\n"],
     "3: interval_start: overlaps the 60-minute interval at 2026-10-05T11:00:00+00:00 on line "
     "2 (queue 'f8c742b9-b5ef-4948-8bbf-9a33c892023f', voice); each contact must be counted "
     "in one interval only"),
    ([ROW, f"{BILLING},2026-10-05T12:37:00Z,15,4,4,0\n"],
     "3: interval_start: a 15-minute interval must start on a multiple of 15 minutes past the "
     "hour (and on a whole minute); got 2026-10-05T12:37:00+00:00"),
    ([ROW, "\n", "\n", f"{BILLING},2026-10-05T12:30:00Z,30,5,6,0\n"],
     "5: answered: answered > offered (6 > 5)"),
    ([ROW, HEADER], "3: the header line is repeated here (two files joined?)"),
], ids=[
    "2**63 does not fit a BIGINT",
    "a 23-digit count is an input error, not a traceback",
    "Arabic-Indic digits are not a count",
    "a year-2262 start is out of the term (and of pandas' range)",
    "a year-1900 row for a 2026 contract",
    "a 15-minute row at 12:15 inside a 30-minute row at 12:00",
    "a 60-minute row over the next 30-minute row",
    "a start of 12:37 is not on a 15-minute boundary",
    "line numbers count blank lines",
    "a header repeated inside the file",
])
def test_a_bad_interval_file_names_the_line(tmp_path: Path, acme, rows: list[str],  # type: ignore[no-untyped-def]
                                            expected: str) -> None:
    assert refused(write(tmp_path, HEADER + "".join(rows)), acme) == expected


def test_line_numbers_count_the_lines_of_a_quoted_multi_line_field(tmp_path: Path,
                                                                  acme) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, HEADER.rstrip("\n") + ",note\n"
                 f'{BILLING},2026-10-05T12:00:00Z,30,10,9,1,"two\nlines"\n'
                 f"{BILLING},2026-10-05T12:30:00Z,30,5,6,0,\n")
    with pytest.warns(UserWarning, match="note: unknown column ignored"):
        assert refused(path, acme) == "4: answered: answered > offered (6 > 5)"


def test_a_duplicated_header_column_is_an_error_not_a_warning(tmp_path: Path, acme) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, HEADER.rstrip("\n") + ",offered\n" + ROW.rstrip("\n") + ",10\n")
    assert refused(path, acme) == "1: offered: column appears twice"


def test_a_warning_prints_one_line_without_python_source(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], store_url: str) -> None:
    path = write(tmp_path, HEADER.rstrip("\n") + ",colour\n" + ROW.rstrip("\n") + ",red\n")
    assert main(["db", "upgrade", "--db", store_url]) == 0
    assert main(["import", "intervals", str(path), "--contract", str(ACME), "--db",
                 store_url]) == 0
    err = capsys.readouterr().err
    assert f"slamon: warning: {path}:1: colour: unknown column ignored" in err
    assert "warnings.warn" not in err


def test_a_local_hour_in_a_half_hour_zone_is_aligned(tmp_path: Path) -> None:
    """Asia/Kolkata is UTC+05:30: a 60-minute row at 10:00 local starts at 04:30 UTC."""
    text = ACME.read_text().replace("America/New_York", "Asia/Kolkata")
    contract_file = tmp_path / "kolkata.yaml"
    contract_file.write_text(text)
    contract = load_contract(contract_file)
    path = write(tmp_path, HEADER + f"{BILLING},2026-10-05T10:00:00+05:30,60,3,3,0\n")
    assert read_intervals(path, contract)["offered"].tolist() == [3]


def imported(db: str) -> list[tuple[int, int, object]]:
    store = Store.open(db)
    try:
        frame = store.load_intervals("acme-connect-2026", datetime(2026, 10, 1, tzinfo=UTC),
                                     datetime(2026, 11, 1, tzinfo=UTC))
    finally:
        store.close()
    if frame.empty:
        return []
    within = (frame["answered_within_20s"].tolist() if "answered_within_20s" in frame.columns
              else [pd.NA] * len(frame))
    return list(zip(frame["offered"].tolist(), frame["answered"].tolist(), within,
                    strict=True))


def test_the_largest_count_is_stored_exactly_beside_a_gap(tmp_path: Path,
                                                          store_url: str) -> None:
    """2**63 - 1 came back as -2**63 (through Float64) and its daily rollup overflowed:
    the largest count now is 10**12 per interval, stored and read back as an integer."""
    big = 10**12
    first = write(tmp_path, HEADER.rstrip("\n") + ",answered_within_20s\n"
                  f"{BILLING},2026-10-05T12:00:00Z,30,{big},{big - 1},0,{big - 3}\n", "a.csv")
    second = write(tmp_path, HEADER + f"{BILLING},2026-10-05T12:30:00Z,30,{big},{big},0\n",
                   "b.csv")  # no threshold column: a gap in the stored column
    assert main(["db", "upgrade", "--db", store_url]) == 0
    for path in (first, second):
        assert main(["import", "intervals", str(path), "--contract", str(ACME), "--db",
                     store_url]) == 0
    rows = imported(store_url)
    assert rows == [(big, big - 1, big - 3), (big, big, pd.NA)]


def test_integers_read_back_beside_a_null_never_pass_through_float(store: Store) -> None:
    """A column of ints with a NULL was read as float64: 2**53 + 1 came back as 2**53."""
    with store.engine.connect() as conn:
        frame = read_frame(conn, "SELECT 9007199254740993 AS n UNION ALL SELECT NULL AS n",
                           ["n"], {"n": "Int64"})
    assert frame["n"].tolist() == [9007199254740993, pd.NA]


def test_a_refused_file_stores_nothing(tmp_path: Path, store_url: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, HEADER + ROW + f"{BILLING},2026-10-05T12:15:00Z,15,4,4,0\n")
    assert main(["db", "upgrade", "--db", store_url]) == 0
    assert main(["import", "intervals", str(path), "--contract", str(ACME), "--db",
                 store_url]) == 1
    assert "overlaps the 30-minute interval" in capsys.readouterr().err
    assert imported(store_url) == []


OUTAGES = "service,start,end,impact,ref\n"


def test_an_outage_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, OUTAGES + "voice,2026-10-05T10:00:00Z,2026-10-05T10:45:00Z,full,A\n",
                 bom=True)
    [outage] = read_outages(path)
    assert (outage.service, outage.ref) == ("voice", "A")


@pytest.mark.parametrize(("row", "expected"), [
    ("voice,2026-10-05T11:00:00Z,2026-10-05T11:10:00Z,full,INC-1\n",
     "3: ref: ref 'INC-1' is already used on line 2"),
    ("voice,1900-10-05T11:00:00Z,1900-10-05T11:10:00Z,full,INC-2\n",
     "3: start: '1900-10-05T11:00:00Z' is outside the years 2000..2099"),
    ("voice,\u0662\u0660\u0662\u0666-10-05T11:00:00Z,2026-10-05T11:10:00Z,full,INC-2\n",
     "3: start: '\u0662\u0660\u0662\u0666-10-05T11:00:00Z' is not an ISO 8601 timestamp"),
], ids=["a ref used twice kept only the last outage",
        "a year-1900 outage", "Arabic-Indic digits in a timestamp"])
def test_a_bad_outage_file_names_the_line(tmp_path: Path, row: str, expected: str) -> None:
    path = write(tmp_path, OUTAGES + "voice,2026-10-05T10:00:00Z,2026-10-05T10:45:00Z,full,"
                 "INC-1\n" + row)
    with pytest.raises(InputError) as caught:
        read_outages(path)
    assert str(caught.value).removeprefix(f"{path}:") == expected


def test_a_file_overlapping_intervals_stored_by_an_earlier_import_is_refused(
        tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """One file cannot show it: a 15-minute export imported over a 30-minute one."""
    thirty = write(tmp_path, HEADER + ROW, "thirty.csv")
    fifteen = write(tmp_path, HEADER + f"{BILLING},2026-10-05T12:15:00Z,15,4,4,0\n",
                    "fifteen.csv")
    assert main(["db", "upgrade", "--db", store_url]) == 0
    args = ["--contract", str(ACME), "--db", store_url]
    assert main(["import", "intervals", str(thirty), *args]) == 0
    capsys.readouterr()
    assert main(["import", "intervals", str(fifteen), *args]) == 1
    assert capsys.readouterr().err == (
        f"slamon: {fifteen}: interval_start: the interval at 2026-10-05T12:15:00+00:00 (queue "
        "'f8c742b9-b5ef-4948-8bbf-9a33c892023f', voice) overlaps the stored 30-minute "
        "interval at 2026-10-05T12:00:00+00:00; each contact must be counted in one interval "
        "only (re-export at the granularity already stored)\n")
    assert imported(store_url) == [(10, 9, pd.NA)]
    corrected = write(tmp_path, HEADER + f"{BILLING},2026-10-05T12:00:00Z,30,11,9,1\n",
                      "corrected.csv")  # the same interval corrected: an update, no overlap
    assert main(["import", "intervals", str(corrected), *args]) == 0
    assert imported(store_url) == [(11, 9, pd.NA)]
