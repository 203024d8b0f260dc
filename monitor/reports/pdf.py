"""The claim document as PDF: the HTML report printed by WeasyPrint (A4, paged CSS).

WeasyPrint logs progress at INFO and CSS it does not support at WARNING; those are layout
notes, not report problems, so its loggers are lowered to ERROR while it imports and renders.
"""

from __future__ import annotations

import logging
import warnings

from monitor.reports.html import TEMPLATES, render_html
from monitor.reports.model import ReportData


def render_pdf(data: ReportData) -> bytes:
    names = ("weasyprint", "weasyprint.progress", "fontTools")
    quiet = [logging.getLogger(name) for name in names]
    levels = [log.level for log in quiet]
    for log in quiet:
        log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            # HarfBuzz-Subset deprecation notices concern the host's libraries, not the report.
            warnings.simplefilter("ignore", DeprecationWarning)
            # Heavy import, only when a PDF is asked for; it parses its stylesheets and logs.
            from weasyprint import HTML

            document = HTML(string=render_html(data), base_url=str(TEMPLATES))
            pdf = document.write_pdf()
    finally:
        for log, level in zip(quiet, levels, strict=True):
            log.setLevel(level)
    assert pdf is not None
    return bytes(pdf)
