"""A "vendor under-reported" case: observed downtime the vendor did not report reaching the
contract's `under_reported_case` limit, from the worked October of test_reconcile (45 min
observed and not reported)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from monitor.cases.model import Trigger
from monitor.cases.workflow import open_cases
from monitor.domain.contract import Contract, Record
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.domain.periods import period_for
from tests.domain.test_reconcile import AS_OF, evidence_contract, observed, vendor_outages


def with_limit(minutes: int) -> Contract:
    c = evidence_contract(Record.VENDOR)
    return replace(c, sources=replace(c.sources,
                                      under_reported_case=timedelta(minutes=minutes)))


def cases_for(c: Contract) -> dict[str, tuple[Trigger, str]]:
    m = Measurements(Measurements.empty().intervals, vendor_outages(), observed())
    ev = evaluate(c, m, period_for(c, "2026-10"), AS_OF)
    return {case.id: (case.trigger, case.history[0].note)
            for case in open_cases(c, ev, (), ())}


def test_unreported_downtime_past_the_limit_opens_its_own_case_beside_the_breach() -> None:
    got = cases_for(with_limit(45))
    assert got["test-contract/desktop:under-reported/2026-10"] == (
        Trigger.UNDER_REPORTED,
        "under_reported: the vendor reported 25 min down, independent checks observed 55 min; "
        "45 min in 2 spans not reported")
    # (44700 - 25) / 44700 = 99.944 % < 99.95 %: the vendor's own figure is a breach too
    assert got["test-contract/desktop/2026-10"][0] is Trigger.BREACH


def test_below_the_limit_or_without_one_no_case_opens() -> None:
    assert "test-contract/desktop:under-reported/2026-10" not in cases_for(with_limit(46))
    assert list(cases_for(evidence_contract(Record.VENDOR))) == ["test-contract/desktop/2026-10"]
