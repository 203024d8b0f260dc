"""Every metric named in alerts/ and grafana/ is one the exporter really emits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from monitor.alerting.promql import metric_names, variable_metric_names
from monitor.exporter.server import build_registry
from monitor.exporter.snapshot import StaticSource
from tests.conftest import ROOT
from tests.metrics_samples import NOW, small_snapshot


def exposed() -> set[str]:
    text = generate_latest(build_registry(StaticSource(small_snapshot()), lambda: NOW)).decode()
    return {s.name for fam in text_string_to_metric_families(text) for s in fam.samples}


def rule_files() -> list[Path]:
    return sorted((ROOT / "alerts").glob("*.rules.yml"))


def recorded() -> set[str]:
    return {r["record"] for f in rule_files() for g in yaml.safe_load(f.read_text())["groups"]
            for r in g["rules"] if "record" in r}


def alert_names() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in rule_files():
        for group in yaml.safe_load(f.read_text())["groups"]:
            for rule in group["rules"]:
                out.setdefault(f.name, set()).update(metric_names(rule["expr"]))
    return out


def grafana_names() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in sorted((ROOT / "grafana" / "dashboards").glob("*.json")):
        board = json.loads(f.read_text())
        names = out.setdefault(f.name, set())
        for panel in board["panels"]:
            for target in panel["targets"]:
                names |= metric_names(target["expr"])
        for var in board["templating"]["list"]:
            names |= variable_metric_names(var["query"]["query"])
        for ann in board["annotations"]["list"]:
            if "expr" in ann:
                names |= metric_names(ann["expr"])
    return out


def test_the_sample_snapshot_exposes_every_family_the_conventions_name() -> None:
    from monitor import conventions as C
    assert exposed() == set(C.EXPOSED_SAMPLES)


def test_alert_rules_use_only_exposed_or_recorded_series() -> None:
    files = alert_names()
    assert files, "no rule files in alerts/"
    known = exposed() | recorded()
    for name, names in files.items():
        assert names <= known, f"{name}: {sorted(names - known)}"


def test_dashboards_use_only_exposed_or_recorded_series() -> None:
    files = grafana_names()
    assert len(files) == 4
    known = exposed() | recorded()
    for name, names in files.items():
        assert names <= known, f"{name}: {sorted(names - known)}"


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        pytest.param('sum by (vendor, sla) (rate(a_total{x="by (y)"}[5m]))', {"a_total"},
                     id="labels in grouping and matchers are not metrics"),
        pytest.param("b:rec:rate1h > on (c) (14.4 * d) and on () e == 1",
                     {"b:rec:rate1h", "d", "e"},
                     id="recording rules and operands of binary operators are"),
        pytest.param("time() - f > 3600", {"f"}, id="functions are not metrics"),
        pytest.param("absent(g{contract=\"x\"})", {"g"}, id="absent names its argument"),
        pytest.param("max_over_time(h[$__range]) offset 1h", {"h"},
                     id="Grafana range variables and offset are skipped"),
    ],
)
def test_promql_names_are_extracted(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names
