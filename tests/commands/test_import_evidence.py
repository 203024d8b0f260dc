"""`slamon import probes` on SQLite and PostgreSQL: the CSV format, the down rule, idempotent
storage, a bad row changing nothing, and `slamon evaluate` reading the stored spans; plus the
contract checks of `sources.independent`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from monitor.cli import main
from monitor.spec import find_contract
from monitor.storage import Store
from monitor.storage.observations import load_all

HEADER = "time,component,location,passed,answer_seconds,reason\n"
# 2 of 3 locations failing for 2 minutes in a row is down (October 5, London = UTC+1).
#   minute 0: all pass; 1: lon, nyc fail; 2: all fail; 3: lon fails at :05 but passes at :40
#   (its last test counts), nyc fails -> 1 failing; 4: sin silent, 0 + 1 < 2 -> up;
#   5: only nyc reports, a failure: the two silent ones could make 2 -> unknown.
ROWS = [
    "2026-10-05T11:00:05+01:00,desktop,lon,true,1.2,",
    "2026-10-05T11:00:06+01:00,desktop,nyc,true,1.4,",
    "2026-10-05T11:00:07+01:00,desktop,sin,true,2.0,",
    "2026-10-05T11:01:05+01:00,desktop,lon,false,,HTTP 503",
    "2026-10-05T11:01:06+01:00,desktop,nyc,false,,timeout",
    "2026-10-05T11:01:07+01:00,desktop,sin,true,2.1,",
    "2026-10-05T11:02:05+01:00,desktop,lon,false,,HTTP 503",
    "2026-10-05T11:02:06+01:00,desktop,nyc,false,,HTTP 503",
    "2026-10-05T11:02:07+01:00,desktop,sin,no,,HTTP 503",
    "2026-10-05T11:03:05+01:00,desktop,lon,false,,HTTP 503",
    "2026-10-05T11:03:40+01:00,desktop,lon,true,1.1,",
    "2026-10-05T11:03:06+01:00,desktop,nyc,false,,HTTP 503",
    "2026-10-05T11:03:07+01:00,desktop,sin,true,1.9,",
    "2026-10-05T11:04:05+01:00,desktop,lon,true,1.0,",
    "2026-10-05T11:04:06+01:00,desktop,nyc,true,1.0,",
    "2026-10-05T11:05:06+01:00,desktop,nyc,false,,HTTP 503",
    "2026-10-05T11:02:30+01:00,reporting,lon,false,,not one of the source's targets",
]


def contract_file(tmp_path: Path, **sources: object) -> Path:
    doc = {
        "apiVersion": "slamon/v1", "kind": "VendorContract",
        "metadata": {"id": "probes-test", "name": "Probes", "currency": "GBP",
                     "vendor": {"id": "acme-bpo", "legal_name": "ACME BPO Ltd"},
                     "timezone": "Europe/London", "effective": {"from": "2026-01-01"}},
        "fees": {"monthly": "1000.00"},
        "sources": [{"platform": "csv", "path": str(tmp_path),
                     "measurement_of_record": "independent",
                    "independent": [{
                        "kind": "probes", "name": "synthetic",
                        "components": {"agent-desktop": "desktop"},
                        "rule": {"failing_locations": 2, "of_locations": 3,
                                 "consecutive_samples": 2, "step": "1m"}}],
                     **sources}],
        "slas": [{"id": "desktop", "metric": "availability", "components": ["agent-desktop"],
                  "target": "99.9%"}],
    }
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.fixture
def db(store_url: str) -> str:
    assert main(["db", "upgrade", "--db", store_url]) == 0
    return store_url


def spans(db: str) -> list[tuple[str, str, str, str]]:
    store = Store.open(db)
    try:
        got = load_all(store, "probes-test", datetime(2026, 10, 1, tzinfo=UTC),
                       datetime(2026, 11, 1, tzinfo=UTC))
    finally:
        store.close()
    return [(s.state, s.start.isoformat(), s.end.isoformat(), ",".join(s.locations))
            for s in got]


def test_probe_csv_is_decided_by_the_rule_stored_once_and_evaluated(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract = contract_file(tmp_path)
    probes = tmp_path / "probes.csv"
    probes.write_text(HEADER + "\n".join(ROWS) + "\n")
    assert main(["import", "probes", str(probes), "--contract", str(contract), "--db", db]) == 0
    assert "1 components, 1 down spans for contract probes-test (synthetic): 3 new, " \
        "0 replaced, 0 unchanged" in capsys.readouterr().out
    expected = [
        ("up", "2026-10-05T10:00:00+00:00", "2026-10-05T10:01:00+00:00", "lon,nyc,sin"),
        ("down", "2026-10-05T10:01:00+00:00", "2026-10-05T10:03:00+00:00", "lon,nyc,sin"),
        ("up", "2026-10-05T10:03:00+00:00", "2026-10-05T10:05:00+00:00", "lon,nyc,sin"),
    ]
    assert spans(db) == expected
    assert main(["import", "probes", str(probes), "--contract", str(contract), "--db", db]) == 0
    assert "0 new, 0 replaced, 3 unchanged" in capsys.readouterr().out
    assert spans(db) == expected

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ROWS[0] + "\n" + ROWS[1].replace("true", "maybe") + "\n")
    assert main(["import", "probes", str(bad), "--contract", str(contract), "--db", db]) == 1
    assert f"{bad}:3: passed: 'maybe' is not true/false" in capsys.readouterr().err
    assert spans(db) == expected

    assert main(["evaluate", "--contract", str(contract), "--period", "2026-10", "--db", db,
                 "--as-of", "2026-11-02T00:00:00Z", "--json"]) == 0
    (rec,) = json.loads(capsys.readouterr().out)["reconciliation"]
    # October in London: 44,700 minutes; 5 of them seen (2 down, 3 up), the rest unknown.
    assert (rec["observed_minutes"], rec["unreported_minutes"], rec["unknown_minutes"],
            rec["record_minutes"]) == ("2", "2", "44695", "2")
    assert rec["observed_spans"][0]["start"] == "2026-10-05T11:01:00+01:00"


def test_a_wider_reread_replaces_only_its_window(db: str, tmp_path: Path) -> None:
    contract = contract_file(tmp_path)
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "\n".join(ROWS[:6]) + "\n")  # minutes 0-1
    assert main(["import", "probes", str(first), "--contract", str(contract), "--db", db]) == 0
    # Minute 1 fails, one step short of the rule, at the end of the data: undecided.
    assert spans(db) == [("up", "2026-10-05T10:00:00+00:00", "2026-10-05T10:01:00+00:00",
                          "lon,nyc,sin")]
    later = tmp_path / "later.csv"
    later.write_text(HEADER + "\n".join(ROWS[3:16]) + "\n")  # minutes 1-5
    assert main(["import", "probes", str(later), "--contract", str(contract), "--db", db]) == 0
    assert [s[:3] for s in spans(db)] == [
        ("up", "2026-10-05T10:00:00+00:00", "2026-10-05T10:01:00+00:00"),
        ("down", "2026-10-05T10:01:00+00:00", "2026-10-05T10:03:00+00:00"),
        ("up", "2026-10-05T10:03:00+00:00", "2026-10-05T10:05:00+00:00")]


@pytest.mark.parametrize(("sources", "message"), [
    ({"independent": [{"kind": "prometheus", "components": {"a": "probe_success"}}]},
     "sources[0].independent[0]: a prometheus source needs url (the Prometheus base URL)"),
    ({"independent": [{"kind": "probes", "components": {"a": "a"},
                       "rule": {"failing_locations": 3, "of_locations": 2}}]},
     "sources[0].independent[0].rule.failing_locations: 3 failing of 2 locations can never "
     "happen"),
    ({"independent": []},
     "sources[0].measurement_of_record: independent needs at least one independent check"),
    ({"independent": [], "measurement_of_record": "vendor", "under_reported_case": "15m"},
     "sources[0].under_reported_case: needs at least one independent check"),
    ({"independent": [{"kind": "probes", "components": {"a": "a"},
                       "rule": {"step": "1500ms"}}]},
     "sources[0].independent[0].rule.step: must be a whole number of seconds, >= 1s"),
])
def test_independent_sources_are_checked(tmp_path: Path, sources: dict[str, object],
                                         message: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    contract = contract_file(tmp_path, **sources)
    assert main(["validate", str(contract)]) == 1
    assert message in capsys.readouterr().out + capsys.readouterr().err


def test_the_contract_maps_independent_sources_to_the_domain(tmp_path: Path) -> None:
    c = find_contract(str(contract_file(tmp_path)), tmp_path)
    (source,) = c.sources.independent
    assert (source.kind, source.name, dict(source.components)) == (
        "probes", "synthetic", {"agent-desktop": "desktop"})
    assert (source.rule.failing, source.rule.locations, source.rule.consecutive,
            source.rule.step.total_seconds()) == (2, 3, 2, 60)
    assert str(c.sources.measurement_of_record) == "independent"
