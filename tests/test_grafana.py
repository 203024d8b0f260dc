"""Dashboards built by grafana/build.py: schema, stable UIDs, variables, current files."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from monitor import conventions as C
from monitor.alerting.promql import metric_names, variable_metric_names
from tests.conftest import ROOT

GRAFANA = ROOT / "grafana"
EXPECTED_UIDS = {
    "vendor-overview.json": C.DASH_OVERVIEW, "sla-detail.json": C.DASH_SLA,
    "penalties.json": C.DASH_PENALTIES, "collector-health.json": C.DASH_HEALTH,
}
GLOBAL = {C.EXPORTER_UP, C.SNAPSHOT_AGE, C.EXPORTER_SCRAPE_DURATION}


def load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("grafana_build", GRAFANA / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dashboards() -> dict[str, dict[str, Any]]:
    paths = sorted((GRAFANA / "dashboards").glob("*.json"))
    return {p.name: json.loads(p.read_text()) for p in paths}


def test_the_committed_dashboards_and_provisioning_are_what_build_py_writes(tmp_path: Path) -> None:
    written = load_build().build(tmp_path)
    assert len(written) == 6
    for path in written:
        committed = GRAFANA / path.relative_to(tmp_path)
        assert committed.read_text() == path.read_text(), f"{committed} is out of date"


def test_each_dashboard_keeps_its_stable_uid() -> None:
    assert {name: d["uid"] for name, d in dashboards().items()} == EXPECTED_UIDS


@pytest.mark.parametrize("name", sorted(EXPECTED_UIDS))
def test_panels_have_unique_ids_a_grid_place_and_the_provisioned_datasource(name: str) -> None:
    board = dashboards()[name]
    assert {"uid", "title", "panels", "templating", "annotations", "schemaVersion"} <= set(board)
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    provisioned = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    uid = provisioned["datasources"][0]["uid"]
    for panel in board["panels"]:
        assert panel["datasource"]["uid"] == uid
        assert panel["targets"], panel["title"]
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid


@pytest.mark.parametrize("name", sorted(EXPECTED_UIDS))
def test_every_panel_filters_by_vendor_and_contract(name: str) -> None:
    board = dashboards()[name]
    variables = [v["name"] for v in board["templating"]["list"]]
    assert variables[:2] == ["vendor", "contract"]
    for panel in board["panels"]:
        for target in panel["targets"]:
            expr = target["expr"]
            if metric_names(expr) <= GLOBAL:
                continue  # the exporter's own health has no vendor
            assert 'vendor=~"$vendor"' in expr, expr
            assert 'contract=~"$contract"' in expr, expr
    if "sla" in variables:
        sla_exprs = [t["expr"] for p in board["panels"] for t in p["targets"]
                     if "slamon_sla_" in t["expr"] or "slamon:sla" in t["expr"]]
        assert sla_exprs
        assert all('sla=~"$sla"' in e for e in sla_exprs)


def test_every_expression_names_only_conventions_metrics_or_recorded_rules() -> None:
    known = set(C.EXPOSED_SAMPLES) | {C.error_ratio_record(w) for w in ("1h", "6h", "1d")}
    for board in dashboards().values():
        for panel in board["panels"]:
            for target in panel["targets"]:
                assert metric_names(target["expr"]) <= known, target["expr"]
        for var in board["templating"]["list"]:
            assert variable_metric_names(var["query"]["query"]) == {C.SLA_INFO}
        for ann in board["annotations"]["list"][1:]:
            assert metric_names(ann["expr"]) <= known
