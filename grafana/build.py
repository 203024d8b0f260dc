"""Build slamon's Grafana dashboards and provisioning files (plain Python, no SDK).

Run `python3 grafana/build.py`; it rewrites `grafana/dashboards/*.json` and
`grafana/provisioning/**` byte-for-byte the same every time, and CI fails when the committed
files differ. Every expression uses names from `monitor.conventions` only, and every panel
filters by the `vendor`, `contract` (and on the SLA view `sla`) template variables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from monitor import conventions as C

HERE = Path(__file__).resolve().parent
DATASOURCE_UID = "slamon-prometheus"
DS = {"type": "prometheus", "uid": DATASOURCE_UID}
VC = 'vendor=~"$vendor",contract=~"$contract"'
VCS = VC + ',sla=~"$sla"'
BY_SLA = "on (vendor, contract, sla)"


def variable(name: str, query: str, label: str) -> dict[str, Any]:
    return {
        "name": name, "label": label, "type": "query", "datasource": DS,
        "query": {"query": query, "refId": f"{name}-var"}, "definition": query,
        "refresh": 2, "includeAll": True, "multi": True, "allValue": ".*", "sort": 1,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
    }


VENDOR = variable("vendor", f"label_values({C.SLA_INFO}, vendor)", "Vendor")
CONTRACT = variable("contract", f'label_values({C.SLA_INFO}{{vendor=~"$vendor"}}, contract)',
                    "Contract")
SLA = variable("sla", f"label_values({C.SLA_INFO}{{{VC}}}, sla)", "SLA")


class Layout:
    """Assigns panel ids and grid positions row by row (24 columns wide)."""

    def __init__(self) -> None:
        self.next_id, self.x, self.y, self.row_h = 1, 0, 0, 0

    def panel(self, kind: str, title: str, targets: list[tuple[str, str]], *, w: int = 12,
              h: int = 8, unit: str | None = None, instant: bool = False,
              description: str = "", options: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel: dict[str, Any] = {
            "id": self.next_id, "type": kind, "title": title, "description": description,
            "datasource": DS, "gridPos": {"h": h, "w": w, "x": self.x, "y": self.y},
            "targets": [
                {"refId": chr(ord("A") + i), "datasource": DS, "expr": expr,
                 "legendFormat": legend, "instant": instant, "range": not instant}
                for i, (expr, legend) in enumerate(targets)
            ],
            "fieldConfig": {"defaults": {"unit": unit} if unit else {}, "overrides": []},
            "options": options or {},
        }
        if kind == "table":
            panel["transformations"] = [{"id": "merge", "options": {}}]
        self.next_id += 1
        self.x += w
        self.row_h = max(self.row_h, h)
        return panel


def dashboard(uid: str, title: str, description: str, variables: list[dict[str, Any]],
              panels: list[dict[str, Any]],
              annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    builtin = {"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
               "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
               "name": "Annotations & Alerts", "type": "dashboard"}
    return {
        "uid": uid, "title": title, "description": description, "tags": ["slamon"],
        "timezone": "browser", "schemaVersion": 39, "version": 1, "editable": False,
        "refresh": "1m", "time": {"from": "now-7d", "to": "now"},
        "templating": {"list": variables},
        "annotations": {"list": [builtin, *(annotations or [])]},
        "links": [{"title": "slamon dashboards", "type": "dashboards", "tags": ["slamon"],
                   "asDropdown": True}],
        "panels": panels,
    }


def overview() -> dict[str, Any]:
    lay = Layout()
    panels = [
        lay.panel("stat", "SLAs breached or certain to be",
                  [(f"sum({C.BREACHED}{{{VC}}})", "")], w=6, h=4, instant=True,
                  description="Ended breached, or even a perfect rest of the period cannot "
                  "meet target. A miss that can still be repaired is 'at risk', not here."),
        lay.panel("stat", "Credits accruing this period (if nothing changes)",
                  [(f"sum by (currency) ({C.CREDIT_ACCRUED}{{{VC}}})", "{{currency}}")],
                  w=6, h=4, instant=True),
        lay.panel("stat", "Chronic failures raised",
                  [(f"sum({C.CHRONIC_FAILURE}{{{VC}}})", "")], w=6, h=4, instant=True),
        lay.panel("stat", "Performance cases overdue",
                  [(f"sum({C.CASES_OVERDUE}{{{VC}}})", "")], w=6, h=4, instant=True),
        lay.panel("table", "Every SLA: attainment, target and status", [
            (f"{C.ATTAINMENT_RATIO}{{{VC}}}", "attainment"),
            (f"{C.TARGET_RATIO}{{{VC}}}", "target"),
            (f"{C.PROJECTED_RATIO}{{{VC}}}", "projected"),
            (f"{C.BREACHED}{{{VC}}}", "breached"),
            (f"{C.STANDING}{{{VC}}} == 1", "state"),
        ], w=24, h=10, unit="percentunit", instant=True,
            description="Ratio SLAs; time SLAs (ASA, AHT) are in the next table."),
        lay.panel("table", "Time SLAs (seconds)", [
            (f"{C.ATTAINMENT_SECONDS}{{{VC}}}", "attainment"),
            (f"{C.TARGET_SECONDS}{{{VC}}}", "target"),
        ], w=12, h=8, unit="s", instant=True),
        lay.panel("table", "Credits this period by contract", [
            (f"sum by (vendor, contract, period, currency) ({C.CREDIT_ACCRUED}{{{VC}}})",
             "credit"),
            (f"{C.CREDIT_AT_RISK}{{{VC}}}", "at risk"),
        ], w=12, h=8, instant=True),
        lay.panel("bargauge", "Error budget left", [
            (f"{C.ERROR_BUDGET_REMAINING_RATIO}{{{VC}}}", "{{contract}} {{sla}}"),
        ], w=24, h=8, unit="percentunit", instant=True),
    ]
    return dashboard(C.DASH_OVERVIEW, "slamon / Vendor overview",
                     "Every contract's SLAs, their status and credits this period.",
                     [VENDOR, CONTRACT], panels)


def sla_detail() -> dict[str, Any]:
    lay = Layout()
    burn = (f"{C.error_ratio_record('{w}')}{{{VCS}}} / {BY_SLA} "
            f"{C.ERROR_BUDGET_RATIO}{{{VCS}}}")
    panels = [
        lay.panel("timeseries", "Attainment vs target", [
            (f"{C.ATTAINMENT_RATIO}{{{VCS}}}", "{{sla}} attainment"),
            (f"{C.RAW_ATTAINMENT_RATIO}{{{VCS}}}", "{{sla}} raw (no exclusions)"),
            (f"{C.TARGET_RATIO}{{{VCS}}}", "{{sla}} target"),
        ], w=24, h=9, unit="percentunit"),
        lay.panel("timeseries", "Projection for the period end", [
            (f"{C.PROJECTED_RATIO}{{{VCS}}}", "{{sla}} projected"),
            (f"{C.BEST_CASE_RATIO}{{{VCS}}}", "{{sla}} best case"),
            (f"{C.REQUIRED_RATIO}{{{VCS}}}", "{{sla}} needed for the rest"),
        ], unit="percentunit"),
        lay.panel("timeseries", "Burn rate (1 = on budget)", [
            (burn.replace("{w}", "1h"), "{{sla}} 1h"),
            (burn.replace("{w}", "6h"), "{{sla}} 6h"),
            (burn.replace("{w}", "1d"), "{{sla}} 1d"),
        ]),
        lay.panel("timeseries", "Error budget left", [
            (f"{C.ERROR_BUDGET_REMAINING_RATIO}{{{VCS}}}", "{{sla}}"),
        ], unit="percentunit"),
        lay.panel("timeseries", "Time SLAs (seconds)", [
            (f"{C.ATTAINMENT_SECONDS}{{{VCS}}}", "{{sla}} attainment"),
            (f"{C.TARGET_SECONDS}{{{VCS}}}", "{{sla}} target"),
            (f"{C.PROJECTED_SECONDS}{{{VCS}}}", "{{sla}} projected"),
        ], unit="s"),
        lay.panel("state-timeline", "Business hours", [
            (f"{C.IN_BUSINESS_HOURS}{{{VC}}}", "{{contract}} {{calendar}}"),
        ], w=24, h=5),
        lay.panel("timeseries", "Good and valid events per second", [
            (f"rate({C.counter_sample(C.GOOD_EVENTS)}{{{VCS}}}[$__rate_interval])",
             "{{sla}} good"),
            (f"rate({C.counter_sample(C.VALID_EVENTS)}{{{VCS}}}[$__rate_interval])",
             "{{sla}} valid"),
        ], w=24),
        lay.panel("timeseries", "Independent evidence: vendor-reported vs observed downtime", [
            (f"{C.VENDOR_DOWNTIME}{{{VCS}}}", "{{sla}} vendor reported"),
            (f"{C.OBSERVED_DOWNTIME}{{{VCS}}}", "{{sla}} observed"),
            (f"{C.UNREPORTED_DOWNTIME}{{{VCS}}}", "{{sla}} not reported by the vendor"),
            (f"{C.UNOBSERVED_DOWNTIME}{{{VCS}}}", "{{sla}} reported, not observed"),
            (f"{C.EVIDENCE_UNKNOWN}{{{VCS}}}", "{{sla}} no probe data"),
        ], w=24, unit="s", description="Availability SLAs with sources.independent: this "
                  "period's downtime by source (docs/evidence.md). Unknown time is neither "
                  "up nor down."),
    ]
    annotations = [
        {"name": "Business hours", "datasource": DS, "enable": True,
         "iconColor": "rgba(115, 191, 105, 0.15)", "step": "5m",
         "expr": f"{C.IN_BUSINESS_HOURS}{{{VC}}} == 1", "titleFormat": "open",
         "textFormat": "{{calendar}}"},
        {"name": "Exclusions", "datasource": DS, "enable": True, "iconColor": "orange",
         "step": "5m", "expr": f"{C.EXCLUSION_ACTIVE}{{{VC}}} == 1",
         "titleFormat": "exclusion", "textFormat": "{{exclusion}}"},
    ]
    return dashboard(C.DASH_SLA, "slamon / SLA detail",
                     "One SLA over time: attainment vs target, burn rate, projection, "
                     "business hours and exclusions.", [VENDOR, CONTRACT, SLA], panels,
                     annotations)


def penalties() -> dict[str, Any]:
    lay = Layout()
    by_month = (f"max by (vendor, contract, period, currency) "
                f"(max_over_time({C.CREDIT_ACCRUED}{{{VC}}}[$__range]))")
    panels = [
        lay.panel("table", "Credits by vendor and month",
                  [(f"sum by (vendor, period, currency) ({by_month})", "credit")],
                  w=12, h=10, instant=True,
                  description="Highest credit accrued in each period over the time range."),
        lay.panel("table", "Credits by contract and month", [(by_month, "credit")],
                  w=12, h=10, instant=True),
        lay.panel("timeseries", "Credits accrued this period", [
            (f"sum by (vendor, contract, currency) ({C.CREDIT_ACCRUED}{{{VC}}})",
             "{{vendor}} {{contract}} {{currency}}"),
        ], w=12),
        lay.panel("timeseries", "Amount at risk", [
            (f"{C.CREDIT_AT_RISK}{{{VC}}}", "{{contract}} {{currency}}"),
        ], w=12),
        lay.panel("table", "Breached SLAs and chronic failures", [
            (f"{C.BREACHED}{{{VC}}}", "breached"),
            (f"{C.CHRONIC_FAILURE}{{{VC}}}", "chronic"),
        ], w=24, instant=True),
        lay.panel("table", "Money recovered: claims ledger by vendor and year", [
            (f"sum by (vendor, year, currency) ({name}{{{VC}}})", name.rsplit("claims_")[1])
            for name in C.CLAIMS_LEDGER
        ], w=16, h=9, instant=True,
                  description="Credit owed by final periods, claimed, accepted, credited on "
                  "invoices (recovered), written off and still outstanding (slamon claims "
                  "ledger)."),
        lay.panel("table", "Claims needing action", [
            (f"sum by (vendor, contract) ({C.CLAIMS_OVERDUE}{{{VC}}})", "overdue drafts"),
            (f"sum by (vendor, contract, state) ({C.CLAIMS_OPEN}{{{VC}}})", "open"),
        ], w=8, h=9, instant=True,
                  description="Drafts past their claim window, and open claims per state."),
    ]
    return dashboard(C.DASH_PENALTIES, "slamon / Penalties",
                     "Service credits by vendor and month, for procurement.",
                     [VENDOR, CONTRACT], panels)


def health() -> dict[str, Any]:
    lay = Layout()
    panels = [
        lay.panel("stat", "Exporter up", [(f"min({C.EXPORTER_UP})", "")], w=6, h=4,
                  instant=True),
        lay.panel("stat", "Snapshot age", [(f"max({C.SNAPSHOT_AGE})", "")], w=6, h=4,
                  unit="s", instant=True),
        lay.panel("stat", "Scrape build time", [(f"max({C.EXPORTER_SCRAPE_DURATION})", "")],
                  w=6, h=4, unit="s", instant=True),
        lay.panel("stat", "Pollers down",
                  [(f"count({C.COLLECTOR_UP}{{{VC}}} == 0) or vector(0)", "")],
                  w=6, h=4, instant=True),
        lay.panel("timeseries", "Poller up", [
            (f"{C.COLLECTOR_UP}{{{VC}}}", "{{contract}} {{source}}"),
        ]),
        lay.panel("timeseries", "Since last successful poll", [
            (f"time() - {C.COLLECTOR_LAST_SUCCESS}{{{VC}}}", "{{contract}} {{source}}"),
        ], unit="s"),
        lay.panel("timeseries", "Poll errors per second", [
            (f"rate({C.counter_sample(C.COLLECTOR_ERRORS)}{{{VC}}}[$__rate_interval])",
             "{{contract}} {{source}}"),
        ]),
        lay.panel("timeseries", "Mean vendor request duration", [
            (f"rate({C.COLLECTOR_REQUEST_DURATION}_sum{{{VC}}}[$__rate_interval]) / "
             f"rate({C.COLLECTOR_REQUEST_DURATION}_count{{{VC}}}[$__rate_interval])",
             "{{contract}} {{source}}"),
        ], unit="s"),
        lay.panel("timeseries", "Data age (newest stored measurement)", [
            (f"time() - {C.DATA_LAST_MEASUREMENT}{{{VC}}}", "{{contract}}"),
        ], w=18, unit="s"),
        lay.panel("stat", "Undelivered notices", [
            (f"sum({C.NOTIFICATIONS_UNDELIVERED}{{{VC}}}) or vector(0)", ""),
        ], w=6, instant=True,
            description="Notices waiting for a retry; `slamon notifications --failed` says "
            "why (SlamonNotificationsUndelivered fires after 30 min)."),
    ]
    return dashboard(C.DASH_HEALTH, "slamon / Collector health",
                     "Vendor pollers, data freshness and the exporter itself.",
                     [VENDOR, CONTRACT], panels)


DASHBOARDS = {
    "vendor-overview.json": overview, "sla-detail.json": sla_detail,
    "penalties.json": penalties, "collector-health.json": health,
}

DATASOURCES = f"""\
# Generated by grafana/build.py. Points Grafana at the Prometheus that scrapes slamon.
apiVersion: 1
datasources:
  - name: Prometheus (slamon)
    uid: {DATASOURCE_UID}
    type: prometheus
    access: proxy
    url: http://localhost:9090
    isDefault: true
    jsonData:
      timeInterval: 15s
"""

PROVIDERS = """\
# Generated by grafana/build.py. Loads the slamon dashboards from this repository.
apiVersion: 1
providers:
  - name: slamon
    folder: slamon
    type: file
    disableDeletion: true
    allowUiUpdates: false
    options:
      path: /var/lib/grafana/dashboards/slamon
      foldersFromFilesStructure: false
"""


def build(root: Path = HERE) -> list[Path]:
    files = {root / "provisioning" / "datasources" / "prometheus.yml": DATASOURCES,
             root / "provisioning" / "dashboards" / "slamon.yml": PROVIDERS}
    for name, make in DASHBOARDS.items():
        files[root / "dashboards" / name] = json.dumps(make(), indent=2, sort_keys=True) + "\n"
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return list(files)


if __name__ == "__main__":
    for written in build():
        print(written.relative_to(HERE.parent))
