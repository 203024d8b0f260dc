"""`slamon alerts generate`: rule shapes, determinism, promtool check and test."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from monitor.alerting.generate import generate
from monitor.alerting.windows import pairs_for
from monitor.cli import main
from monitor.domain.contract import Contract, PeriodKind
from tests.conftest import CONTRACTS, ROOT, require_binary
from tests.metrics_samples import CONTRACT_YAML, sample_contract


@pytest.fixture
def contract(tmp_path: Path) -> Contract:
    return sample_contract(tmp_path)


def rules_of(out: Path, contract_id: str) -> list[dict[str, object]]:
    doc = yaml.safe_load((out / f"{contract_id}.rules.yml").read_text())
    return list(doc["groups"][0]["rules"])


def burn_windows(rules: list[dict[str, object]], sla: str) -> list[tuple[str, str, str]]:
    return [
        (r["labels"]["long_window"], r["labels"]["short_window"], r["labels"]["severity"])  # type: ignore[index]
        for r in rules
        if r["alert"] == "SlaErrorBudgetBurn" and r["labels"]["sla"] == sla  # type: ignore[index]
    ]


def test_an_80_percent_service_level_keeps_only_the_pairs_its_20_percent_budget_can_reach(
    contract: Contract, tmp_path: Path
) -> None:
    # 14.4 x 0.2 and 6 x 0.2 exceed an error ratio of 1; 3 x 0.2 and 1 x 0.2 do not.
    generate([contract], tmp_path / "out")
    rules = rules_of(tmp_path / "out", "acme-2026")
    assert burn_windows(rules, "service-level") == [("1d", "2h", "ticket"), ("3d", "6h", "ticket")]
    # 5 % abandons: 14.4 x 0.05 = 0.72 still reachable; counts get a 30-minute short window.
    assert burn_windows(rules, "abandon-rate") == [
        ("1h", "30m", "page"), ("6h", "30m", "page"),
        ("1d", "2h", "ticket"), ("3d", "6h", "ticket"),
    ]
    assert burn_windows(rules, "availability") == [
        ("1h", "5m", "page"), ("6h", "30m", "page"), ("1d", "2h", "ticket"), ("3d", "6h", "ticket"),
    ]
    assert burn_windows(rules, "asa") == []  # seconds have no error budget


def test_business_hours_slas_are_gated_on_the_calendar_gauge_and_24x7_ones_are_not(
    contract: Contract, tmp_path: Path
) -> None:
    generate([contract], tmp_path / "out")
    rules = {(r["alert"], r["labels"]["sla"], r["labels"].get("long_window")): r  # type: ignore[index,union-attr]
             for r in rules_of(tmp_path / "out", "acme-2026") if "sla" in r["labels"]}  # type: ignore[operator]
    gate = 'slamon_calendar_open{contract="acme-2026",calendar="business-hours"} == 1'
    assert gate in str(rules[("SlaErrorBudgetBurn", "service-level", "1d")]["expr"])
    fast = rules[("SlaErrorBudgetBurn", "availability", "1h")]
    assert "slamon_calendar_open" not in str(fast["expr"])
    certain = rules[("SlaBreachCertain", "asa", None)]
    assert "slamon_sla_best_case_attainment_seconds" in str(certain["expr"])
    compare = "\n  > on (vendor, contract, sla, period) slamon_sla_target_seconds"
    assert compare in str(certain["expr"])


def test_every_alert_links_its_runbook_and_dashboard(contract: Contract, tmp_path: Path) -> None:
    generate([contract], tmp_path / "out")
    for rule in rules_of(tmp_path / "out", "acme-2026"):
        ann, labels = rule["annotations"], rule["labels"]
        assert {"summary", "runbook_url", "dashboard_url"} <= set(ann)  # type: ignore[arg-type]
        assert {"severity", "vendor", "contract", "team"} <= set(labels)  # type: ignore[arg-type]
        runbook = str(ann["runbook_url"]).rsplit("/", 1)[1]  # type: ignore[index]
        assert (ROOT / "docs" / "runbooks" / runbook).is_file(), runbook


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        pytest.param(PeriodKind.MONTH, ["1h/5m", "6h/30m", "1d/2h", "3d/6h"],
                     id="a month keeps the workbook windows"),
        pytest.param(PeriodKind.QUARTER, ["3h/15m", "18h/90m", "3d/6h", "9d/18h"],
                     id="a quarter stretches them threefold"),
        pytest.param(PeriodKind.YEAR, ["12h/1h", "3d/6h", "12d/1d", "36d/3d"],
                     id="a year stretches them twelvefold"),
    ],
)
def test_windows_scale_with_the_period(kind: PeriodKind, expected: list[str]) -> None:
    assert [p.name for p in pairs_for(kind)] == expected
    assert [str(p.burn_rate) for p in pairs_for(kind)] == ["14.4", "6", "3", "1"]


def test_generation_is_byte_for_byte_stable_and_drops_files_of_removed_contracts(
    contract: Contract, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = {p: p.read_text() for p in generate([contract], out)}
    (out / "gone.rules.yml").write_text(first[out / "acme-2026.rules.yml"])
    (out / "hand-written.rules.yml").write_text("groups: []\n")
    second = {p: p.read_text() for p in generate([contract], out)}
    assert first == second
    assert not (out / "gone.rules.yml").exists()
    assert (out / "hand-written.rules.yml").exists()


def test_a_bad_contract_fails_with_its_location_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "bad.yaml").write_text(CONTRACT_YAML.replace("target: 80%", "target: 180%"))
    code = main(["alerts", "generate", "--contracts", str(tmp_path / "c"), "--out",
                 str(tmp_path / "out")])
    assert code == 1
    assert "bad.yaml:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_committed_alerts_are_what_the_shipped_contracts_generate(tmp_path: Path) -> None:
    out = tmp_path / "alerts"
    assert main(["alerts", "generate", "--contracts", str(CONTRACTS), "--out", str(out)]) == 0
    for path in sorted(out.rglob("*.yml")):
        committed = ROOT / "alerts" / path.relative_to(out)
        assert committed.read_text() == path.read_text(), f"{committed} is out of date"


@pytest.mark.binaries
def test_promtool_accepts_and_passes_every_generated_rule_and_test(
    contract: Contract, tmp_path: Path
) -> None:
    promtool = require_binary("promtool")
    out = tmp_path / "out"
    generate([contract], out)
    dirs = [out, ROOT / "alerts"]
    # promtool tests: the shipped contracts' (they cover the sample's kinds of SLA too)
    checks = [subprocess.Popen([promtool, "check", "rules",
                                *sorted(map(str, d.glob("*.rules.yml")))],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
              for d in dirs]
    tests = [subprocess.Popen([promtool, "test", "rules", str(f)], cwd=f.parent,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for f in sorted((ROOT / "alerts" / "tests").glob("*.test.yml"))]
    assert len(tests) >= 2
    for proc in checks + tests:
        output, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, output
        assert "SUCCESS" in output
