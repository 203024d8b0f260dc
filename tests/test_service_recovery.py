"""How a source recovers by itself (issue 17): backoff after failed passes, refusals of the
credentials counted in a row, and a pause only for what will not heal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.service.pipeline import CollectOutcome
from monitor.service.scheduler import Health, Service, Source
from monitor.storage import Store

NOW = datetime(2026, 10, 5, 12, tzinfo=UTC)
KEY = ("acme", "genesys-cloud")
REFUSED = CollectOutcome(*KEY, error="POST /oauth/token: 401 invalid_client", refused=True)
FAILED = CollectOutcome(*KEY, error="GET /aggregates: 503")
GOOD = CollectOutcome(*KEY)
MISCONFIGURED = CollectOutcome(*KEY, error="400 unknown queue", down=True)


class _Contract:
    id = "acme"


class _Collector:
    kind = "genesys-cloud"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    store = Store.open(f"sqlite:///{tmp_path / 'r.db'}", check_revision=False)
    service = Service(store, [], wall=lambda: NOW)
    service.health[KEY] = Health()
    yield service
    store.close()


def run(service: Service, outcomes: list[CollectOutcome]) -> list[bool]:
    source = Source(_Contract(), _Collector())  # type: ignore[arg-type]
    return [service._recover(source, o) for o in outcomes]


@pytest.mark.parametrize(("outcomes", "paused"), [
    ([REFUSED] * 4, False),
    ([REFUSED] * 5, True),
    ([REFUSED] * 4 + [FAILED] + [REFUSED] * 4, False),
    ([REFUSED] * 4 + [GOOD] + [REFUSED] * 4, False),
    ([FAILED] * 50, False),
    ([MISCONFIGURED], True),
], ids=[
    "four refusals in a row are still a storm",
    "the fifth refusal in a row pauses the source",
    "a 503 between refusals breaks the run",
    "a good pass between refusals breaks the run",
    "fifty failed passes never pause",
    "a permanent answer other than a refusal pauses at once",
])
def test_only_a_confirmed_misconfiguration_pauses(service: Service,
                                                  outcomes: list[CollectOutcome],
                                                  paused: bool) -> None:
    assert run(service, outcomes)[-1] is paused
    assert service.paused_sources() == ({KEY} if paused else set())


def test_the_wait_doubles_from_30_seconds_up_to_15_minutes_and_resets(service: Service) -> None:
    waits = []
    for _ in range(7):
        run(service, [FAILED])
        retry_at = service.health[KEY].retry_at
        assert retry_at is not None
        waits.append((retry_at - NOW).total_seconds())
    assert waits == [30, 60, 120, 240, 480, 900, 900]
    run(service, [GOOD])
    assert (service.health[KEY].retry_at, service.health[KEY].failures) == (None, 0)


def test_a_source_waiting_out_its_backoff_is_not_polled(service: Service) -> None:
    run(service, [FAILED])
    source = Source(_Contract(), _Collector())  # type: ignore[arg-type]
    assert service.collect_source(source).skipped == "backoff"
    service.wall = lambda: NOW + timedelta(seconds=29)
    assert service.collect_source(source).skipped == "backoff"


def test_a_simulated_clock_waits_out_the_backoff_in_simulated_time(service: Service) -> None:
    """The demo's month goes by a simulated day per tick in half a real second: waiting
    30 s of wall time skipped every later tick, and one failed pass (5 faults in a row on
    Twilio's 6,000 requests) lost the rest of October."""
    simulated = [NOW]
    service.backoff_clock = lambda: simulated[0]
    service.wall = lambda: NOW + timedelta(hours=1)  # the real clock: irrelevant now
    run(service, [FAILED])
    assert service.health[KEY].retry_at == NOW + timedelta(seconds=30)
    source = Source(_Contract(), _Collector())  # type: ignore[arg-type]
    simulated[0] = NOW + timedelta(seconds=29)
    assert service.collect_source(source).skipped == "backoff"
    simulated[0] = NOW + timedelta(days=1)  # the next tick: polled again
    assert service.collect_source(source, evaluate=False).skipped != "backoff"
