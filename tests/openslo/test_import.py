"""Importing OpenSLO's own published examples (tests/fixtures/openslo, each file names its
source): what maps, what is reported with file:line, and that every draft validates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from monitor.domain.contract import AggregationMethod, Direction, Metric, PeriodKind
from monitor.openslo.draft import Draft, import_documents
from monitor.openslo.reader import read_files
from monitor.spec.loader import load_text
from tests.conftest import FIXTURES

OPENSLO = FIXTURES / "openslo"
TODAY = date(2026, 12, 1)


def imported(*names: str) -> Draft:
    docs, problems = read_files([OPENSLO / n for n in names])
    assert problems == []
    return import_documents(docs, today=TODAY, name="draft.yaml")


def messages(draft: Draft) -> list[str]:
    return [str(p) for p in draft.problems]


def where(name: str) -> str:
    return str(Path("tests/fixtures/openslo") / name)


def test_timeslices_example_becomes_an_interval_compliance_sla_of_99_percent() -> None:
    draft = imported("timeslices-slo.yaml")
    assert draft.text is not None, messages(draft)
    contract = load_text(draft.text, "draft.yaml").contract
    assert contract is not None
    [sla] = contract.slas
    assert sla.id == "service-availability"
    assert sla.metric is Metric.AVAILABILITY  # "availability" in its name
    assert sla.aggregation.method is AggregationMethod.INTERVAL_COMPLIANCE
    assert sla.aggregation.share == Decimal("0.99")  # the "SLA" objective, not the internal
    assert sla.target.value == Decimal("0.99")
    assert sla.target.direction is Direction.MIN
    assert sla.period is PeriodKind.MONTH
    assert str(contract.tz) == "America/New_York"
    assert contract.effective_from == date(2022, 1, 1)
    # the published example says `duration: 1m` (one minute) next to "1 month time window"
    assert (f"{where('timeslices-slo.yaml')}:28: spec.timeWindow[0]: warning: a 1m calendar "
            "window is not a contract period") in "\n".join(messages(draft))
    assert any(m.startswith(f"{where('timeslices-slo.yaml')}:35: spec.objectives[0]: warning: "
                            "objective 'Internal objective' not imported") for m in messages(draft))


def test_the_draft_marks_every_value_a_person_must_supply() -> None:
    draft = imported("timeslices-slo.yaml")
    assert draft.text is not None
    marked = {line.split(":")[0].strip() for line in draft.text.splitlines()
              if "# HUMAN:" in line}
    assert marked == {"vendor", "currency", "effective", "monthly", "- id", "metric", "period"}
    assert "  monthly: '0.00'  # HUMAN: the monthly fee" in draft.text


def test_a_rolling_window_is_reported_and_ratio_timeslices_is_a_mean_of_ratios() -> None:
    draft = imported("ratio-timeslices.yaml")
    assert draft.text is not None
    contract = load_text(draft.text, "draft.yaml").contract
    assert contract is not None
    [sla] = contract.slas
    assert sla.aggregation.method is AggregationMethod.MEAN_OF_RATIOS
    assert sla.target.value == Decimal("0.99")
    assert f"{where('ratio-timeslices.yaml')}:28: spec.timeWindow[0]: warning: a rolling 2w " \
        "window is not a contract period (a calendar month, quarter or year); imported as a " \
        "calendar month" in messages(draft)
    assert "period: month  # HUMAN: the SLO had a rolling 2w window" in draft.text
    assert str(contract.tz) == "UTC"
    assert "timezone: UTC  # HUMAN:" in draft.text


def test_a_latency_threshold_slo_is_reported_not_guessed() -> None:
    draft = imported("occurrences-slo.yaml")
    assert draft.text is None
    assert messages(draft) == [
        f"{where('occurrences-slo.yaml')}:25: spec.objectives: warning: a thresholdMetric SLO "
        "without slamon.dev/metric: slamon cannot tell which time KPI (asa, aht) it is, nor "
        "the unit of its value; not imported",
        "draft.yaml: no SLO could be imported",
    ]


def test_readme_objects_resolve_across_files_and_alert_policies_are_reported() -> None:
    draft = imported("readme-alerting.yaml", "timeslices-slo.yaml")
    assert draft.text is not None, messages(draft)
    contract = load_text(draft.text, "draft.yaml").contract
    assert contract is not None
    assert sorted(s.id for s in contract.slas) == ["foo-slo", "service-availability"]
    assert contract.sla("foo-slo").target.value == Decimal("0.98")
    text = "\n".join(messages(draft))
    assert f"{where('readme-alerting.yaml')}:82: spec.alertPolicies[0]: warning: alert " \
        "policies are not imported" in text
    # the README's SLO names a Datadog source the README never defines
    assert f"{where('readme-alerting.yaml')}:68: spec.indicator.spec.ratioMetric.good." \
        "metricSource.metricSourceRef: warning: metricSourceRef 'datadog-datasource'" in text
    assert "no AlertPolicy" not in text  # its alertPolicyRef resolved to the README's policy


def test_composite_slos_and_dangling_refs_are_reported_with_their_lines() -> None:
    draft = imported("composite.yaml")
    assert draft.text is None
    assert messages(draft) == [
        f"{where('composite.yaml')}:13: spec.objectives: warning: composite SLO (objectives "
        "with their own indicators) is not supported: a contract SLA measures one KPI; not "
        "imported",
        f"{where('composite.yaml')}:28: spec.indicatorRef: no SLI named 'no-such-sli' in the "
        "files given",
        "draft.yaml: no SLO could be imported",
    ]


def test_a_name_defined_twice_differently_is_an_error(tmp_path: Path) -> None:
    text = (OPENSLO / "ratio-timeslices.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text.replace("target: 0.99", "target: 0.95"))
    docs, _ = read_files([tmp_path])
    draft = import_documents(docs, today=TODAY)
    assert draft.errors[0].message.startswith("SLO 'main-page' is also defined differently at ")


FOREIGN_ABANDON = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: abandon-rate, displayName: Calls not abandoned}
spec:
  service: helpdesk
  indicator:
    metadata: {name: not-abandoned}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: answered_total}}}
        total: {metricSource: {type: Prometheus, spec: {query: offered_total}}}
  timeWindow:
    - {duration: 1Q, isRolling: false,
       calendar: {startTime: "2026-04-01 00:00:00", timeZone: Europe/Berlin}}
  budgetingMethod: Occurrences
  objectives:
    - targetPercent: 95.5
"""


def test_a_good_share_of_95_5_percent_not_abandoned_is_an_abandon_rate_of_at_most_4_5(
        tmp_path: Path) -> None:
    (tmp_path / "slo.yaml").write_text(FOREIGN_ABANDON)
    docs, _ = read_files([tmp_path / "slo.yaml"])
    draft = import_documents(docs, today=TODAY)
    assert draft.text is not None, messages(draft)
    contract = load_text(draft.text, "draft.yaml").contract
    assert contract is not None
    [sla] = contract.slas
    assert sla.metric is Metric.ABANDON_RATE
    assert sla.target.value == Decimal("0.045")
    assert sla.target.direction is Direction.MAX
    assert sla.period is PeriodKind.QUARTER
    assert contract.effective_from == date(2026, 4, 1)
    assert "timezone: Europe/Berlin\n" in draft.text  # known, so not marked
