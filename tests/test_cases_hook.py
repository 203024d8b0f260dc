"""The case process wired as `slamon run`'s after-evaluation hook, on a real database."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.alerting.notifiers import RetryPolicy
from monitor.alerting.notifiers.store_log import StoreSentLog
from monitor.cases.hook import CaseHook
from monitor.domain.results import Evaluation, PeriodCredits
from monitor.storage import Store
from monitor.storage.cases_repository import CaseStoreSentLog, StoreCaseRepository
from tests.smtp_sink import SmtpSink
from tests.test_cases_workflow import BREACH_NOV, CONTRACT, ny


@dataclass(frozen=True)
class Outcome:
    evaluations: tuple[Evaluation, ...]
    credits: tuple[PeriodCredits, ...] = ()


def test_each_evaluation_runs_one_idempotent_case_pass(store: Store) -> None:
    """The hook runs after every evaluation; three runs at the same instant open one case
    and mail one breach notice (and October's statement, due by the end of 6 November and sent
    without figures, as none were evaluated); a run after the acknowledgement deadline
    mails the overdue warning, once."""
    repo = StoreCaseRepository(store)
    clock = iter([ny(2026, 11, 25, 12)] * 3 + [ny(2026, 11, 28, 1)] * 2)
    with SmtpSink() as sink:
        hook = CaseHook([CONTRACT], repo, CaseStoreSentLog(store), StoreSentLog(store),
                        {"SLAMON_SMTP_URL": f"smtp://127.0.0.1:{sink.port}"},
                        lambda: next(clock), policy=RetryPolicy(sleep=lambda s: None))
        for _ in range(5):
            hook(CONTRACT, Outcome((BREACH_NOV,)))
    assert [c.id for c in repo.list()] == ["acme/service-level-voice/2026-11"]
    subjects = [" ".join(str(m["Subject"]).split()) for _, _, m in sink.messages]
    assert subjects == [
        "[slamon] amazon-connect / acme / service-level-voice case opened (2026-11)",
        "[slamon] amazon-connect / acme / performance vendor statement (2026-10)",
        "[slamon] amazon-connect / acme / service-level-voice case acknowledge overdue "
        "(2026-11)",
    ]


def test_recurring_causes_come_from_the_stored_intervals_of_the_last_three_months(
        store: Store) -> None:
    """The Monday-morning data of tests/test_patterns.py, stored and read back: the same
    cause with the same costs (96/10 080, 96/10 080, 160/9 120) as from the frame."""
    from decimal import Decimal

    from monitor.cases.stored_causes import StoredCauses
    from tests.test_patterns import CONTRACT as PATTERN_CONTRACT
    from tests.test_patterns import seeded_exact

    store.ingest_intervals(PATTERN_CONTRACT, seeded_exact())
    causes = StoredCauses(store, lambda: ny(2026, 12, 2))
    (cause,) = causes(PATTERN_CONTRACT)
    assert (cause.kind, cause.subject, cause.periods) == (
        "time_band", "Mon 08:00-10:00", ("2026-09", "2026-10", "2026-11"))
    assert cause.costs == (Decimal(96) / 10080, Decimal(96) / 10080, Decimal(160) / 9120)
    assert causes(PATTERN_CONTRACT) is causes(PATTERN_CONTRACT)  # cached for the month


def test_overdue_cases_reach_the_slamon_cases_overdue_gauge(store: Store) -> None:
    """One case past its acknowledgement deadline, one resolved: the exporter, reading the
    database at scrape time, exposes 1 for the contract."""
    from dataclasses import replace

    from prometheus_client import CollectorRegistry, generate_latest

    from monitor.cases.model import Action
    from monitor.cases.workflow import transition
    from monitor.exporter.metrics import SlamonMetrics
    from monitor.exporter.store_source import StoreSource
    from tests.test_cases_workflow import opened

    store.save_contract(CONTRACT)
    store.save_evaluation(BREACH_NOV, at=ny(2026, 11, 25, 10))
    resolved = replace(transition(opened(), Action.RESOLVE, "vm", ny(2026, 11, 26)), version=1)
    late = replace(opened(), sla_id="asa")
    StoreCaseRepository(store).save([resolved, late])
    source = StoreSource(store, [CONTRACT])
    assert [(c.contract, c.cases_overdue) for c in source.snapshot(ny(2026, 11, 28, 1)).contracts
            ] == [("acme", 1)]
    registry = CollectorRegistry()
    registry.register(SlamonMetrics(source, clock=lambda: ny(2026, 11, 28, 1)))
    assert ('slamon_cases_overdue{contract="acme",vendor="amazon-connect"} 1.0'
            in generate_latest(registry).decode())
