"""Consistency on show: each SLA's attainment per queue and per site, and the spread between
the best and the worst, in the scorecard, the JSON report, the workbook and on /metrics.

The data is tests/test_patterns.py's September: Boston 9 072 of 10 080 in 20 s (90 %),
Denver 3 024 of 5 040 (60 %), Denver 2 4 284 of 5 040 (85 %). By queue the spread is
0.9 - 0.6 = 0.3; by site Denver pools to 7 308 of 10 080 = 72.5 %, so 0.9 - 0.725 = 0.175.
Every queue waits 10 s a contact, so ASA has no spread at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from prometheus_client import CollectorRegistry, generate_latest

from monitor.cli import main
from monitor.domain.consistency import consistency_of, with_consistency
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.exporter.metrics import SlamonMetrics
from monitor.exporter.store_source import StoreSource
from monitor.interchange import write_intervals
from monitor.reports.gather import gather
from monitor.reports.json_report import report_to_json
from monitor.reports.model import ReportData
from monitor.reports.xlsx import render_xlsx
from monitor.service.pipeline import evaluate_once
from monitor.sources import FileSource
from monitor.storage import Store
from tests.conftest import ROOT
from tests.test_patterns import CONTRACT, PERIODS, frame, slots, three_queues

AS_OF = datetime(2026, 10, 2, tzinfo=UTC)


def september() -> ReportData:
    source = FileSource(three_queues(), (), has_outages=False, names="three queues")
    return gather(CONTRACT, "2026-09", source, AS_OF, AS_OF, history=0)


def test_the_spread_is_best_minus_worst_by_queue_and_by_site() -> None:
    evaluation = evaluate(CONTRACT, Measurements(three_queues()), PERIODS[0], AS_OF)
    found = consistency_of(CONTRACT, evaluation, three_queues())
    assert [(c.sla_id, c.dimension, c.worst.subject, c.best.subject, c.spread,
             c.meeting_target) for c in found] == [
        ("sl-voice", "queue", "q-den", "q-bos", Decimal("0.3"), 2),
        ("sl-voice", "site", "denver", "boston", Decimal("0.175"), 1),
        # ASA ties everywhere at 10 s: names break the tie, the spread is 0.
        ("asa", "queue", "q-bos", "q-den2", Decimal(0), 3),
        ("asa", "site", "boston", "denver", Decimal(0), 2),
    ]
    details = {r.sla_id: r.evidence.details
               for r in with_consistency(evaluation, found).results}
    assert (details["sl-voice"]["spread_queue"], details["sl-voice"]["spread_site"]) == (
        "0.300000", "0.175000")


def test_one_queue_has_no_spread() -> None:
    one = three_queues().query("queue == 'q-bos'")
    evaluation = evaluate(CONTRACT, Measurements(one), PERIODS[0], AS_OF)
    assert consistency_of(CONTRACT, evaluation, one) == []


def test_the_json_report_scorecard_lists_every_queue_weakest_first() -> None:
    doc = report_to_json(september())["scorecard"]["consistency"]
    by_queue = next(c for c in doc if (c["sla"], c["dimension"]) == ("sl-voice", "queue"))
    assert {k: by_queue[k] for k in ("target", "direction", "spread", "best", "worst",
                                     "meeting_target")} == {
        "target": 0.8, "direction": "min", "spread": 0.3, "best": "q-bos", "worst": "q-den",
        "meeting_target": 2}
    assert [(g["group"], g["value"], g["numerator"], g["denominator"], g["meets_target"],
             g["cost"]) for g in by_queue["groups"]] == [
        ("q-den", 0.6, 3024, 5040, False, 0.05),
        ("q-den2", 0.85, 4284, 5040, True, 0),
        ("q-bos", 0.9, 9072, 10080, True, 0),
    ]
    by_site = next(c for c in doc if (c["sla"], c["dimension"]) == ("sl-voice", "site"))
    assert (by_site["spread"], by_site["worst"]) == (0.175, "denver")


def test_the_workbook_has_a_consistency_sheet_with_number_cells() -> None:
    book = load_workbook(BytesIO(render_xlsx(september())))
    ws = book["Consistency"]
    headers = [c.value for c in ws[1]]
    rows = [dict(zip(headers, (c.value for c in row), strict=True))
            for row in ws.iter_rows(min_row=2)]
    denver = next(r for r in rows if r["Queue or site"] == "q-den")
    assert (denver["SLA"], denver["By"], denver["Attainment"], denver["Target"],
            denver["Meets target"], denver["Spread (best - worst)"]) == (
        "sl-voice", "queue", 0.6, 0.8, "no", 0.3)
    assert ws.cell(row=rows.index(denver) + 2, column=5).number_format.endswith("%")
    assert [r["Queue or site"] for r in rows if (r["SLA"], r["By"]) == ("sl-voice", "site")
            ] == ["denver", "boston"]


def test_the_service_stores_the_spread_and_metrics_expose_it(store: Store) -> None:
    frame = three_queues()
    store.ingest_intervals(CONTRACT, frame[frame["interval_start"] < PERIODS[1].start])
    late_on_the_30th = datetime(2026, 10, 1, 3, tzinfo=UTC)  # 23:00 in New York
    evaluate_once(store, CONTRACT, late_on_the_30th)
    registry = CollectorRegistry()
    registry.register(SlamonMetrics(StoreSource(store, [CONTRACT]),
                                    clock=lambda: late_on_the_30th))
    text = generate_latest(registry).decode()
    labels = 'contract="acme",dimension="{}",period="2026-09",sla="sl-voice",vendor="csv"'
    assert f"slamon_sla_attainment_spread_ratio{{{labels.format('queue')}}} 0.3\n" in text
    assert f"slamon_sla_attainment_spread_ratio{{{labels.format('site')}}} 0.175\n" in text
    assert ('slamon_sla_attainment_spread_seconds{contract="acme",dimension="queue",'
            'period="2026-09",sla="asa",vendor="csv"} 0.0\n') in text


def test_the_claim_shows_the_spread_beside_the_scorecard() -> None:
    from monitor.reports.html import render_html

    html = render_html(september())
    assert "Consistency across queues and sites, 2026-09" in html
    assert ("<tr><td class=\"id\">sl-voice</td><td>queue</td><td class=\"num\">30.00%</td>"
            "<td>q-den 60.00%</td><td>q-bos 90.00%</td><td class=\"num\">2 of 3</td></tr>"
            ) in html


def test_evaluate_save_stores_the_spread_too(tmp_path: Path, store_url: str) -> None:
    """Umbrella's service level (F6, 20 s, abandons within 5 s leave the denominator) on
    two Belfast queues, every interval 18 of 20 in time on one and 12 of 20 on the other:
    0.9 and 0.6 whatever the calendar counts, a 0.3 spread; one site, so no site spread."""
    starts = slots()
    rows = []
    for queue, within in (("CLAIMS-NEW", 18), ("CLAIMS-PROGRESS", 12)):
        part = frame(starts, np.full(len(starts), 20), np.full(len(starts), within), queue)
        part["abandoned_within_5s"] = 0
        rows.append(part)
    path = tmp_path / "umbrella.csv"
    write_intervals(pd.concat(rows, ignore_index=True), path)
    contracts = str(ROOT / "contracts")
    assert main(["db", "upgrade", "--db", store_url]) == 0
    assert main(["import", "intervals", str(path), "--contract", "umbrella-bpo-2026",
                 "--contracts-dir", contracts, "--db", store_url]) == 0
    assert main(["evaluate", "--contract", "umbrella-bpo-2026", "--contracts-dir", contracts,
                 "--period", "2026-09", "--as-of", "2026-10-02T00:00:00+00:00", "--save",
                 "--db", store_url]) == 0
    store = Store.open(store_url)
    try:
        (row,) = [r for r in store.latest_results("umbrella-bpo-2026")
                  if r.sla_id == "service-level" and r.period == "2026-09"]
    finally:
        store.close()
    details = row.evidence["details"]
    assert details["spread_queue"] == "0.300000"
    assert "spread_site" not in details
