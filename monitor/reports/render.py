"""Choosing a format and writing a report file so that a failure leaves no file behind.

`render(data, fmt)` returns the report's bytes; `write_report(data, fmt, out)` renders first,
then writes to a temporary file in the target directory and renames it over `out`, so a
reader never sees a half-written report and an error leaves `out` untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from monitor.reports.csv_report import render_csv
from monitor.reports.json_report import render_json
from monitor.reports.model import ReportData
from monitor.reports.pdf import render_pdf
from monitor.reports.xlsx import render_xlsx


def _html(data: ReportData) -> bytes:
    from monitor.reports.html import render_html

    return render_html(data).encode("utf-8")


# The explicit registry: format name -> renderer.
RENDERERS: dict[str, Callable[[ReportData], bytes]] = {
    "xlsx": render_xlsx,
    "csv": render_csv,
    "html": _html,
    "pdf": render_pdf,
    "json": render_json,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render(data: ReportData, fmt: str) -> bytes:
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")\
            from None
    return renderer(data)


def write_atomic(content: bytes, out: Path) -> None:
    """Write `content` to `out` through a temporary sibling and a rename."""
    out = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(data: ReportData, fmt: str, out: Path) -> int:
    """Render and write; returns the number of bytes written."""
    content = render(data, fmt)
    write_atomic(content, out)
    return len(content)
