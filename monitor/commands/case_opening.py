"""Cases for breaches established outside `slamon run`: `evaluate --save` and `close`.

docs/cases.md promises that a breach opens a performance-issue case wherever it becomes
known; the case process is idempotent (a case per contract, SLA and period), so running it
here as well as in `slamon run` never opens one twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from monitor.alerting.notifiers.store_log import StoreSentLog
from monitor.cases.hook import CaseHook
from monitor.cases.stored_causes import StoredCauses
from monitor.domain.contract import Contract
from monitor.domain.results import Evaluation, PeriodCredits
from monitor.storage import Store
from monitor.storage.cases_repository import CaseStoreSentLog, StoreCaseRepository


@dataclass(frozen=True)
class _Outcome:
    evaluations: tuple[Evaluation, ...]
    credits: tuple[PeriodCredits, ...]


def open_cases(store: Store, contract: Contract, evaluation: Evaluation,
               credits: PeriodCredits | None, now: datetime) -> list[str]:
    """Run the case process for one stored evaluation; the ids of the contract's open cases."""
    if contract.performance_issue is None:
        return []
    repo = StoreCaseRepository(store)
    hook = CaseHook([contract], repo, CaseStoreSentLog(store), StoreSentLog(store),
                    os.environ, lambda: now, causes=StoredCauses(store, lambda: now))
    hook(contract, _Outcome((evaluation,), () if credits is None else (credits,)))
    return [c.id for c in repo.list(contract.id) if not c.is_closed]
