"""Two BPOs on one platform are two companies: each gets its own statement, with only its
own figures, sent only to its own people; metric labels tell them apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from monitor.cases.events import CaseEvent
from monitor.cases.repository import InMemorySentLog
from monitor.cases.service import statement_tick
from monitor.domain.contract import Contact, Party, PerformanceIssue, Sources
from monitor.exporter.from_results import snapshot_from_evaluations
from tests.test_cases_notices import NOV_FINAL
from tests.test_cases_workflow import NY, make_contract


def bpo(contract_id: str, party: str, legal: str, contact: str, ours: str):  # type: ignore[no-untyped-def]
    base = make_contract()
    assert base.performance_issue is not None
    issue: PerformanceIssue = replace(base.performance_issue,
                                      contacts={"vendor": contact, "ours": ours})
    return replace(base, id=contract_id, name=f"Claims line ({legal})", vendor=party,
                   party=Party(party, legal, (Contact("Account director", contact),)),
                   sources=Sources(platform="csv"), performance_issue=issue)


NORTH = bpo("umbrella-north", "north-bpo", "North BPO Ltd", "ad@north.example",
            "sm@umbrella.example")
SOUTH = bpo("umbrella-south", "south-bpo", "South BPO plc", "ad@south.example",
            "sm@umbrella.example")
EVALUATIONS = [replace(NOV_FINAL, contract_id=NORTH.id), replace(NOV_FINAL, contract_id=SOUTH.id)]


def test_two_companies_on_one_platform_get_separate_statements() -> None:
    sent: list[CaseEvent] = []
    statement_tick([NORTH, SOUTH], EVALUATIONS, [], [], InMemorySentLog(), sent.append,
                   datetime(2026, 12, 2, 7, tzinfo=NY))
    by_key = {e.key: e for e in sent}
    assert sorted(by_key) == ["statement/north-bpo/2026-11", "statement/south-bpo/2026-11"]
    north, south = by_key["statement/north-bpo/2026-11"], by_key["statement/south-bpo/2026-11"]
    assert set(north.to) == {"ad@north.example", "sm@umbrella.example"}
    assert set(south.to) == {"ad@south.example", "sm@umbrella.example"}
    assert north.summary == "Performance statement for North BPO Ltd (north-bpo), 2026-11"
    assert "umbrella-north" in north.body
    assert "umbrella-south" not in north.body
    assert "South BPO" not in north.body
    assert "umbrella-north" not in south.body


def test_metric_labels_name_the_company_not_the_platform() -> None:
    snap = snapshot_from_evaluations([NORTH, SOUTH], EVALUATIONS, {},
                                     datetime(2026, 12, 2, 7, tzinfo=NY))
    assert {(s.vendor, s.contract) for s in snap.slas} == {
        ("north-bpo", "umbrella-north"), ("south-bpo", "umbrella-south")}
