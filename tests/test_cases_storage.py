"""Cases in the database (SQLite and PostgreSQL): round trip, optimistic locking, one
transaction per batch, and scheduler passes that never duplicate cases or notices."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.cases.model import Action
from monitor.cases.repository import StaleCaseError
from monitor.cases.service import tick
from monitor.cases.workflow import transition
from monitor.storage import Store
from monitor.storage.cases_repository import CaseStoreSentLog, StoreCaseRepository
from tests.test_cases_workflow import BREACH_NOV, CONTRACT, ny, opened


def test_a_case_comes_back_from_the_database_as_it_went_in(store: Store) -> None:
    repo = StoreCaseRepository(store)
    case = transition(opened(), Action.ACKNOWLEDGE, "tam@vendor.example",
                      ny(2026, 11, 30, 9), "late, sorry")
    case = replace(case, causes=("sl: Mon 08:00-10:00 fails",),
                   notices=frozenset({"k1", "k2"}))
    repo.save([opened()])
    repo.save([case])
    loaded = repo.get(case.id)
    assert loaded == case
    assert loaded is not None
    assert [e.note for e in loaded.history] == [case.history[0].note, "late, sorry"]
    assert repo.list("acme") == [case]
    assert repo.list("other") == []


def test_saving_the_same_case_again_changes_nothing(store: Store) -> None:
    repo = StoreCaseRepository(store)
    repo.save([opened()])
    repo.save([opened()])
    assert repo.list() == [opened()]


def test_of_two_writers_of_one_version_only_the_first_wins(store: Store) -> None:
    first, second = StoreCaseRepository(store), StoreCaseRepository(store)
    first.save([opened()])
    first.save([transition(opened(), Action.ACKNOWLEDGE, "tam", ny(2026, 11, 26))])
    with pytest.raises(StaleCaseError, match="stored version 2, this change is based on "
                       "version 1"):
        second.save([transition(opened(), Action.RESOLVE, "vm", ny(2026, 11, 26))])
    stored = first.get(opened().id)
    assert stored is not None
    assert [e.action for e in stored.history] == ["open", "acknowledge"]


def test_a_refused_case_rolls_back_the_whole_batch(store: Store) -> None:
    repo = StoreCaseRepository(store)
    other = replace(opened(), sla_id="asa")
    with pytest.raises(StaleCaseError):
        repo.save([other, opened().bumped()])
    assert repo.list() == []


def test_re_running_the_scheduler_on_the_database_duplicates_nothing(store: Store) -> None:
    repo, log = StoreCaseRepository(store), CaseStoreSentLog(store)
    sent: list[str] = []
    for now in (ny(2026, 11, 25, 12), ny(2026, 11, 25, 12), ny(2026, 11, 28, 1),
                ny(2026, 11, 28, 2)):
        tick(CONTRACT, repo, log, lambda e: sent.append(e.key), now, [BREACH_NOV])
    assert [c.id for c in repo.list()] == ["acme/service-level-voice/2026-11"]
    assert sent == ["acme/service-level-voice/2026-11#0:open",
                    "acme/service-level-voice/2026-11:case_acknowledge_overdue"]
    assert log.seen("acme/service-level-voice/2026-11#0:open")
    assert not log.seen("acme/service-level-voice/2026-11:case_rca_overdue")
