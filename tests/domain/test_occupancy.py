"""`occupancy` is accepted as a metric where a source provides it (it was refused).

Occupancy = agents' handle time / (handle time + idle time), Amazon Connect's
`AGENT_OCCUPANCY` definition (research/penalty_formulas.md 1.8), from the interval columns
`agent_busy_seconds` and `agent_idle_seconds`. Worked September (tests/test_patterns.py's
calendar, 504 business half-hours): Boston busy 1 440 s and idle 360 s a slot (80 %),
Denver busy 1 710 s and idle 90 s (95 %): 504 x 3 150 / 504 x 3 600 = 87.5 % overall.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitor.domain.consistency import consistency_of
from monitor.domain.contract import Direction, Metric, Sla, Status, Target
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.interchange import read_intervals, write_intervals
from monitor.spec import load_all
from monitor.storage import Store
from tests.conftest import CONTRACTS
from tests.test_patterns import CONTRACT, PERIODS, frame, slots

AS_OF = datetime(2026, 10, 2, tzinfo=UTC)
OCC = Sla(id="occupancy", metric=Metric.OCCUPANCY, target=Target(Decimal("0.85"),
                                                                  Direction.MAX),
          calendar="business-hours")
WITH_OCC = replace(CONTRACT, slas=(*CONTRACT.slas, OCC))


def agents() -> pd.DataFrame:
    starts = slots()
    n = len(starts)
    boston = frame(starts, np.full(n, 20), np.full(n, 18), "q-bos")
    boston["agent_busy_seconds"], boston["agent_idle_seconds"] = 1440, 360
    denver = frame(starts, np.full(n, 10), np.full(n, 6), "q-den")
    denver["agent_busy_seconds"], denver["agent_idle_seconds"] = 1710, 90
    return pd.concat([boston, denver], ignore_index=True)


def test_occupancy_is_busy_over_busy_plus_idle_and_a_maximum_here() -> None:
    evaluation = evaluate(WITH_OCC, Measurements(agents()), PERIODS[0], AS_OF)
    result = evaluation.result("occupancy")
    assert (result.value, result.status) == (Decimal("0.875"), Status.BREACHED)
    assert (result.evidence.numerator, result.evidence.denominator) == (504 * 3150, 504 * 3600)
    (by_queue,) = [c for c in consistency_of(WITH_OCC, evaluation, agents())
                   if (c.sla_id, c.dimension) == ("occupancy", "queue")]
    assert (by_queue.worst.subject, by_queue.best.subject, by_queue.spread) == (
        "q-den", "q-bos", Decimal("0.15"))


def test_without_the_agent_columns_occupancy_is_insufficient_data() -> None:
    plain = agents().drop(columns=["agent_busy_seconds", "agent_idle_seconds"])
    result = evaluate(WITH_OCC, Measurements(plain), PERIODS[0], AS_OF).result("occupancy")
    assert result.status is Status.INSUFFICIENT_DATA


def test_the_interval_csv_and_the_database_keep_the_agent_columns(
        tmp_path: Path, store: Store) -> None:
    path = tmp_path / "agents.csv"
    write_intervals(agents(), path)
    read = read_intervals(path, WITH_OCC)
    assert int(read["agent_busy_seconds"].sum()) == 65 * 24 * (1440 + 1710)  # Sep-Nov weekdays
    store.ingest_intervals(WITH_OCC, read)
    loaded = store.load_intervals(WITH_OCC.id, PERIODS[0].start, PERIODS[0].end)
    result = evaluate(WITH_OCC, Measurements(loaded), PERIODS[0], AS_OF).result("occupancy")
    assert result.value == Decimal("0.875")


OCCUPANCY_SLA = """
  - id: agent-occupancy
    description: "Agents busy at most 85 % of their logged-in time"
    metric: occupancy
    calendar: claims-hours
    period: month
    target: {max: 85%}
"""


def with_occupancy(tmp_path: Path, name: str) -> Path:
    text = (CONTRACTS / name).read_text().replace("\nslas:\n", "\nslas:" + OCCUPANCY_SLA, 1)
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_contract_whose_source_provides_occupancy_validates_cleanly(tmp_path: Path) -> None:
    (one,), _ = load_all([with_occupancy(tmp_path, "umbrella-bpo-2026.yaml")])
    assert one.errors == ()
    assert [p for p in one.problems if "occupancy" in p.message] == []
    assert one.contract is not None
    assert one.contract.sla("agent-occupancy").target == Target(Decimal("0.85"), Direction.MAX)


@pytest.mark.parametrize("name", ["acme-connect-2026.yaml", "globex-genesys-2026.yaml"])
def test_a_collector_without_agent_times_gets_a_warning_saying_where_the_data_comes_from(
        tmp_path: Path, name: str) -> None:
    text = (CONTRACTS / name).read_text()
    first = text.index("\nslas:\n")
    calendar = text[first:].split("calendar: ", 1)[1].split()[0]
    path = tmp_path / name
    path.write_text(text.replace("\nslas:\n", "\nslas:" + OCCUPANCY_SLA.replace(
        "claims-hours", calendar), 1))
    (one,), _ = load_all([path])
    assert one.errors == ()
    (warning,) = [p for p in one.problems if p.path.endswith("metric")]
    assert warning.severity == "warning"
    assert "occupancy needs agent_busy_seconds and agent_idle_seconds" in warning.message
    assert "slamon import intervals" in warning.message
