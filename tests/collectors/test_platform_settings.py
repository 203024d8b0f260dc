"""`slamon validate` on NICE CXone, Five9 and Talkdesk contracts: the `sources.settings`
keys, choices and credential roles their collectors will read, checked before a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main
from monitor.spec import load_contract

CONTRACT = """\
apiVersion: slamon/v1
kind: VendorContract
metadata:
  id: platform-{vendor}
  name: "A {vendor} contract"
  vendor: {{id: acme-bpo, legal_name: "Acme BPO Ltd."}}
  currency: USD
  timezone: America/New_York
  effective: {{from: 2026-01-01, to: 2026-12-31}}
fees:
  monthly: "1000.00"
sources:
  platform: {vendor}
  queues: [{{id: Billing, name: Billing}}]
{sources}
slas:
  - id: asa
    metric: asa
    target: {{max: 30s}}
"""


def write(tmp_path: Path, vendor: str, sources: str) -> Path:
    path = tmp_path / f"{vendor}.yaml"
    path.write_text(CONTRACT.format(vendor=vendor, sources=sources))
    return path


def test_settings_reach_the_collector_and_named_keys_win(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("F9_USER", "u")
    monkeypatch.setenv("F9_PASS", "p")
    path = write(tmp_path, "five9", """\
  api_host: api.five9.eu
  settings: {report_name: "SLA by skill", service_level_seconds: "30", api_host: ignored}
  credentials_env: {username: F9_USER, password: F9_PASS}""")
    contract = load_contract(path)
    assert contract.sources.settings == {"report_name": "SLA by skill",
                                         "service_level_seconds": "30",
                                         "api_host": "api.five9.eu"}


def test_typos_bad_choices_and_missing_credential_roles_are_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("F9_USER", "u")
    path = write(tmp_path, "five9", """\
  settings: {report_nmae: x, data_centre: mars, answered_within_20s: "SL 20"}
  credentials_env: {username: F9_USER}""")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any("sources[0].settings.report_nmae: warning: five9 has no setting 'report_nmae'"
               in line for line in out)
    assert any("'report_nmae' (did you mean 'report_name'?)" in line for line in out)
    assert any("sources[0].settings.data_centre: 'mars' is not one of us, uk, ca, eu" in line
               for line in out)
    assert any("warning: five9 reads credentials_env.password; the collector cannot start"
               in line for line in out)
    assert not any("answered_within_20s" in line for line in out)  # a column mapping


def test_talkdesk_needs_an_account_and_a_known_region(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    path = write(tmp_path, "talkdesk", """\
  region: apac
  credentials_env: {client_id: TD_ID, client_secret: TD_SECRET}""")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "sources[0]: talkdesk needs account" in out
    assert "sources[0].region: unknown talkdesk region 'apac'; use one of us, eu, ca" in out
