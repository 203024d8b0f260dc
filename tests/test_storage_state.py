"""Collector watermarks, leases and runs; notification dedup; outages and incident history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.domain.measurements import Outage
from monitor.storage import IncidentUpdate, Store
from monitor.storage.outages import ANY_CONTRACT

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def test_a_watermark_only_moves_forward_unless_forced(store: Store) -> None:
    assert store.get_watermark("genesys:acme") is None
    assert store.set_watermark("genesys:acme", T0) is True
    assert store.set_watermark("genesys:acme", T0 - timedelta(hours=1)) is False
    assert store.get_watermark("genesys:acme") == T0
    assert store.set_watermark("genesys:acme", T0 + timedelta(minutes=30)) is True
    assert store.set_watermark("genesys:acme", T0, force=True) is True
    assert store.get_watermark("genesys:acme") == T0


def test_a_lease_is_held_by_one_owner_until_it_expires_or_is_released(store: Store) -> None:
    ttl = timedelta(minutes=5)
    assert store.try_lease("window:acme:12:00", "worker-a", ttl, T0) is True
    assert store.try_lease("window:acme:12:00", "worker-b", ttl, T0 + timedelta(minutes=1)) \
        is False
    assert store.try_lease("window:acme:12:00", "worker-a", ttl, T0 + timedelta(minutes=2))
    # renewed by a at 12:02, so still held at 12:06; free at 12:07
    assert not store.try_lease("window:acme:12:00", "worker-b", ttl, T0 + timedelta(minutes=6))
    assert store.try_lease("window:acme:12:00", "worker-b", ttl, T0 + timedelta(minutes=7))
    assert store.release_lease("window:acme:12:00", "worker-a") is False
    assert store.release_lease("window:acme:12:00", "worker-b") is True
    assert store.try_lease("window:acme:12:00", "worker-a", ttl, T0 + timedelta(minutes=7))


def test_runs_are_recorded_newest_first_with_their_errors(store: Store) -> None:
    store.record_run("genesys:acme", T0, T0 + timedelta(seconds=3), 48)
    store.record_run("genesys:acme", T0 + timedelta(minutes=5), None, 0, error="HTTP 503")
    runs = store.runs("genesys:acme")
    assert [(r.rows, r.error, r.ok) for r in runs] == [(0, "HTTP 503", False), (48, None, True)]
    assert runs[1].finished == T0 + timedelta(seconds=3)


def test_a_notification_is_recorded_once_per_dedup_key(store: Store) -> None:
    key = "breach:acme:service-level-voice:2026-10"
    assert store.record_notification(key, "slack", {"text": "breach"}, T0, "acme") is True
    assert store.record_notification(key, "slack", {"text": "breach"}, T0) is False


def test_outages_upsert_on_service_and_start_and_load_by_overlap(store: Store) -> None:
    open_one = Outage("voice", T0, None, "full", source="statuspage", ref="inc-1")
    other = Outage("ccp", T0 + timedelta(days=3), T0 + timedelta(days=3, minutes=45), "partial",
                   affected_fraction=0.25)
    s = store.ingest_outages("acme", [open_one, other])
    assert (s.new, s.updated, s.unchanged) == (2, 0, 0)
    resolved = Outage("voice", T0, T0 + timedelta(minutes=90), "full", source="statuspage",
                      ref="inc-1")
    s = store.ingest_outages("acme", [resolved, other])
    assert (s.new, s.updated, s.unchanged) == (0, 1, 1)
    store.ingest_outages(ANY_CONTRACT, [Outage("dns", T0 + timedelta(days=1),
                                               T0 + timedelta(days=1, hours=1), "full")])
    got = store.load_outages("acme", T0 + timedelta(minutes=60), T0 + timedelta(days=2))
    assert [o.service for o in got] == ["voice", "dns"]
    assert got[0] == resolved
    assert store.load_outages("other", T0, T0 + timedelta(days=30))[0].service == "dns"


def test_incident_updates_keep_their_history_once_each(store: Store) -> None:
    first = IncidentUpdate("acme", "inc-1", T0, "investigating", "Calls failing")
    second = IncidentUpdate("acme", "inc-1", T0 + timedelta(minutes=90), "resolved", "Fixed")
    assert store.record_incident_update(second) is True
    assert store.record_incident_update(first) is True
    assert store.record_incident_update(first) is False
    assert [u.status for u in store.incident_updates("acme", "inc-1")] == ["investigating",
                                                                            "resolved"]
