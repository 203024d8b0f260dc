"""Recurring causes worked out from the database, for `CaseHook(causes=...)`.

`StoredCauses(store, clock)` loads the last `months` complete months of intervals and the
stored period history of a contract and runs `monitor.domain.patterns.recurring_causes` on
them. The answer changes only when a month completes, so it is cached per contract and
month: the service's five-minute passes do not re-read three months of intervals each time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from monitor.domain.contract import Contract, PeriodKind
from monitor.domain.patterns import RecurringCause, recurring_causes
from monitor.domain.periods import period_containing
from monitor.domain.results import Period
from monitor.errors import InputError


@dataclass
class StoredCauses:
    store: Any  # monitor.storage.Store (kept loose: this module is imported by the service)
    clock: Callable[[], datetime]
    months: int = 3
    _cache: dict[tuple[str, str], list[RecurringCause]] = field(default_factory=dict)

    def complete_months(self, contract: Contract, now: datetime) -> list[Period]:
        """The last `months` months before the one containing `now`, oldest first (fewer
        at the start of the contract's term)."""
        current = period_containing(contract, PeriodKind.MONTH, now)
        out: list[Period] = []
        cursor = current
        for _ in range(self.months):
            try:
                cursor = period_containing(contract, PeriodKind.MONTH,
                                           cursor.full_start - timedelta(microseconds=1))
            except InputError:  # before the contract's term
                break
            out.insert(0, cursor)
        return out

    def __call__(self, contract: Contract) -> list[RecurringCause]:
        from monitor.storage.history import stored_evaluations

        now = self.clock()
        current = period_containing(contract, PeriodKind.MONTH, now)
        key = (contract.id, current.label)
        if key not in self._cache:
            periods = self.complete_months(contract, now)
            if not periods:
                self._cache[key] = []
                return []
            frame = self.store.load_intervals(contract.id, periods[0].start, periods[-1].end)
            history = stored_evaluations(self.store, contract, current)
            self._cache[key] = recurring_causes(contract, history, frame, periods)
        return self._cache[key]
