"""The workbook's "Consistency" sheet: each SLA's attainment per queue and per site.

One row per (SLA, queue or site), weakest first within an SLA, beside the target, the
aggregate, the SLA's spread (best minus worst) and what meeting target there would have
added to the aggregate. Kept apart from `xlsx.py`, which lends it its cell helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from monitor.reports.scorecard import Scorecard
from monitor.reports.units import xlsx_value_format

CONSISTENCY_COLUMNS: tuple[str, ...] = (
    "SLA", "Metric", "By", "Queue or site", "Attainment", "Target", "Meets target",
    "Aggregate", "Difference from aggregate", "Numerator", "Denominator",
    "Gain to aggregate if met", "Spread (best - worst)",
)


def consistency_sheet(ws: Worksheet, card: Scorecard,
                      header: Callable[[Worksheet, int, Sequence[str]], None],
                      put: Callable[[Worksheet, int, int, Any, str | None], None],
                      finish: Callable[[Worksheet, int, int, Sequence[int]], None]) -> None:
    header(ws, 1, CONSISTENCY_COLUMNS)
    row = 1
    for c in card.consistency:
        vfmt = xlsx_value_format(c.metric)
        for s in c.standings:
            row += 1
            values: list[tuple[Any, str | None]] = [
                (c.sla_id, None), (c.metric, None), (c.dimension, None), (s.subject, None),
                (s.attainment, vfmt), (c.target, vfmt), ("yes" if s.meets_target else "no",
                                                         None),
                (s.aggregate, vfmt), (s.delta, vfmt), (s.numerator, "0"),
                (s.denominator, "0"), (s.cost, vfmt), (c.spread, vfmt),
            ]
            for col, (value, fmt) in enumerate(values, start=1):
                put(ws, row, col, value, fmt)
    finish(ws, 1, len(CONSISTENCY_COLUMNS), [26, 16, 8, 24] + [12] * 9)
