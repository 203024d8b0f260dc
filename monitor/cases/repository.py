"""Where cases and the record of sent notices live: two Protocols and in-memory versions.

The database implementation is `monitor.storage.cases_repository` (when present); the
in-memory one serves tests and the `--dry-run` paths. Both honour the same contract:

- `save(cases)` is all-or-nothing: every case is checked first, then all are written. A case
  at `version` 1 must be new; a case at version n > 1 must replace the stored version n - 1.
  Anything else (a second scheduler or a person changed it meanwhile) raises
  `StaleCaseError` and writes nothing, so two writers never both win.
- Saving a case identical to the stored one is a no-op, which makes re-running a scheduler
  pass harmless.
- `SentLog.record(key, at)` returns False when `key` was already recorded: a notice is sent
  once, by whichever writer records it first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from monitor.errors import SlamonError

from .model import Case, CaseState


class StaleCaseError(SlamonError):
    """The case changed since it was read; re-read and retry."""


class CaseRepository(Protocol):
    def get(self, case_id: str) -> Case | None: ...

    def list(self, contract_id: str | None = None,
             states: Iterable[CaseState] | None = None) -> list[Case]: ...

    def save(self, cases: Sequence[Case]) -> None: ...


class SentLog(Protocol):
    def seen(self, key: str) -> bool: ...

    def record(self, key: str, at: datetime) -> bool: ...


def check_versions(current: dict[str, Case], cases: Sequence[Case]) -> list[Case]:
    """The cases that really change, after the optimistic-lock checks described above."""
    writes: list[Case] = []
    for case in cases:
        stored = current.get(case.id)
        if stored is not None and stored == case:
            continue
        if stored is None and case.version != 1:
            raise StaleCaseError(f"case {case.id} version {case.version} has no stored parent")
        if stored is not None and stored.version != case.version - 1:
            raise StaleCaseError(
                f"case {case.id} changed meanwhile: stored version {stored.version}, "
                f"this change is based on version {case.version - 1}")
        writes.append(case)
    return writes


class InMemoryCaseRepository:
    """A dict keyed by case id; ordered by opening time, then id, when listed."""

    def __init__(self, cases: Iterable[Case] = ()) -> None:
        self._cases: dict[str, Case] = {c.id: c for c in cases}

    def get(self, case_id: str) -> Case | None:
        return self._cases.get(case_id)

    def list(self, contract_id: str | None = None,
             states: Iterable[CaseState] | None = None) -> list[Case]:
        wanted = None if states is None else set(states)
        found = [c for c in self._cases.values()
                 if (contract_id is None or c.contract_id == contract_id)
                 and (wanted is None or c.state in wanted)]
        return sorted(found, key=lambda c: (c.opened_at, c.id))

    def save(self, cases: Sequence[Case]) -> None:
        for case in check_versions(self._cases, cases):
            self._cases[case.id] = case


class InMemorySentLog:
    def __init__(self) -> None:
        self.sent: dict[str, datetime] = {}

    def seen(self, key: str) -> bool:
        return key in self.sent

    def record(self, key: str, at: datetime) -> bool:
        if key in self.sent:
            return False
        self.sent[key] = at
        return True
