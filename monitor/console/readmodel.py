"""Reading the store for the pages: results grouped by contract and period, cases by
contract. Kept apart from the route handlers so the bench can time the reads alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from monitor.cases.model import Case, CaseState
from monitor.storage import Store, StoredResult
from monitor.storage.cases_repository import StoreCaseRepository

OPEN_CASE_STATES = (CaseState.OPEN, CaseState.ACKNOWLEDGED, CaseState.RCA_RECEIVED,
                    CaseState.ESCALATED)


@dataclass(frozen=True)
class PeriodResults:
    """One contract's stored results for one period, SLAs in id order."""

    contract_id: str
    label: str
    status: str  # open | provisional | final
    results: tuple[StoredResult, ...]

    @property
    def start(self) -> datetime:
        return self.results[0].period_start

    @property
    def end(self) -> datetime:
        return self.results[0].period_end

    def credit(self) -> Decimal:
        """The period's own credits (as stored per SLA; earn-back lines are on the SLA page)."""
        return sum((r.credit or Decimal(0) for r in self.results), Decimal(0))

    def breached(self) -> int:
        return sum(1 for r in self.results if r.status in ("breached", "key_measurement_missed"))


def by_period(results: Iterable[StoredResult]) -> list[PeriodResults]:
    """Group (already ordered by period start) results; oldest first, monthly periods before
    longer ones starting the same day."""
    groups: dict[tuple[str, str], list[StoredResult]] = defaultdict(list)
    for r in results:
        groups[(r.contract_id, r.period)].append(r)
    out = [PeriodResults(cid, label, rs[0].period_status,
                         tuple(sorted(rs, key=lambda r: r.sla_id)))
           for (cid, label), rs in groups.items()]
    return sorted(out, key=lambda p: (p.contract_id, p.start, p.end))


def history(store: Store, contract_id: str) -> list[PeriodResults]:
    return by_period(store.results_history(contract_id))


def current_periods(store: Store) -> dict[str, PeriodResults]:
    """Per contract, its latest stored month (or latest period of any kind if no month)."""
    latest: dict[str, PeriodResults] = {}
    for p in by_period(store.latest_results()):
        kind = p.results[0].period_kind
        have = latest.get(p.contract_id)
        if have is None or (kind == "month" and (have.results[0].period_kind != "month"
                                                 or have.start < p.start)):
            latest[p.contract_id] = p
    return latest


def open_cases(store: Store, contract_id: str | None = None) -> list[Case]:
    return StoreCaseRepository(store).list(contract_id, OPEN_CASE_STATES)


def count_by_contract(cases: Iterable[Case]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for c in cases:
        counts[c.contract_id] += 1
    return counts
