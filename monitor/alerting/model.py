"""Rule and rule-test values the generators build, plus the links every alert carries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from monitor import conventions as C


@dataclass(frozen=True)
class Links:
    """Where alerts point: the Grafana base URL and the runbook base URL."""

    grafana: str = C.DEFAULT_GRAFANA_URL
    runbooks: str = C.DEFAULT_RUNBOOK_URL

    def runbook(self, alert: str) -> str:
        return f"{self.runbooks.rstrip('/')}/{kebab(alert)}.md"

    def dashboard(self, uid: str, slug: str, **variables: str) -> str:
        query = urlencode({f"var-{k}": v for k, v in variables.items()})
        return f"{self.grafana.rstrip('/')}/d/{uid}/{slug}" + (f"?{query}" if query else "")


def kebab(name: str) -> str:
    out = "".join("-" + ch.lower() if ch.isupper() else ch for ch in name)
    return out.lstrip("-")


@dataclass(frozen=True)
class Case:
    """One promtool test group: input series, then the alerts expected at `eval_minutes`."""

    name: str
    series: Mapping[str, str]  # series selector -> promtool values notation
    eval_minutes: int
    alertname: str
    expected: tuple[Mapping[str, str], ...]  # each: the alert's full label set (no alertname)


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    for_: str | None = None
    cases: tuple[Case, ...] = field(default=(), compare=False)

    def rule(self) -> dict[str, Any]:
        rule: dict[str, Any] = {"alert": self.name, "expr": self.expr}
        if self.for_:
            rule["for"] = self.for_
        rule["labels"] = dict(sorted(self.labels.items()))
        rule["annotations"] = dict(self.annotations)
        return rule


def selector(metric: str, **labels: str) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{metric}{{{inner}}}"
