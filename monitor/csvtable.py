"""A CSV file read as text rows that keep their physical line numbers.

`pandas.read_csv` skips blank lines and folds quoted multi-line fields without saying so,
so its row numbers drifted from the file's lines (issue 17); it also renamed a repeated
header column to `offered.1`, which then passed as an unknown column. The `csv` module
reports where each record ends (`line_num`), so the line a record starts on is one past the
previous record's end. A byte-order mark is accepted in every input file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import InputError

MAX_FIELD = 10_000  # characters in one field; the csv module's default is 131,072


@dataclass(frozen=True)
class Table:
    """The header (stripped) and the data records with the line each starts on."""

    file: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def read_table(path: str | Path) -> Table:
    """Read `path`; decoding, quoting and field-count problems name their line."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise InputError("no such file", file=file) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=file) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 (byte {raw[exc.start]:#04x}: {exc.reason}); save the file "
                         "as UTF-8", file=file, line=line) from None
    del raw
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    end = 0
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle, skipinitialspace=True, strict=True)
        try:
            for record in reader:
                start, end = end + 1, reader.line_num
                if not record or record == [""]:  # a blank line
                    continue
                if any(len(field) > MAX_FIELD for field in record):
                    raise InputError(f"a field longer than {MAX_FIELD:,} characters",
                                     file=file, line=start)
                if header is None:
                    header = [h.strip() for h in record]
                    _check_header(header, file, start)
                    continue
                if [f.strip() for f in record] == header:
                    raise InputError("the header line is repeated here (two files joined?)",
                                     file=file, line=start)
                if len(record) != len(header):
                    raise InputError(f"{len(record)} fields where the header has "
                                     f"{len(header)}", file=file, line=start)
                rows.append(record)
                lines.append(start)
        except csv.Error as exc:
            raise InputError(f"not a readable CSV file ({exc})", file=file,
                             line=reader.line_num) from None
    if header is None:
        raise InputError("the file is empty; expected a header line", file=file)
    return Table(file, header, rows, lines)


def _check_header(header: list[str], file: str, line: int) -> None:
    seen: set[str] = set()
    for column in header:
        if not column:
            raise InputError("a header column has no name", file=file, line=line)
        if column in seen:
            raise InputError("column appears twice", file=file, line=line, column=column)
        seen.add(column)
