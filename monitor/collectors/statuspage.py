"""Atlassian Statuspage (Genesys, Twilio, Talkdesk status pages): outages and maintenances.

Polls the public, unauthenticated `GET {page}/api/v2/incidents.json` (only the 50 most
recent incidents: the caller must persist what it sees on every poll, upserting by
`Outage.ref`) and `GET {page}/api/v2/scheduled-maintenances.json`.

An incident becomes one outage per affected component and per spell of non-operational
status, read from the `affected_components` transitions in `incident_updates` (oldest
first): `major_outage` → full, `partial_outage` → partial, `degraded_performance` →
degraded. An incident whose updates carry no transitions (`affected_components: null`)
falls back to its `components` list over `started_at`..`resolved_at` with the incident's
impact (critical → full, major → partial, minor → degraded, none → ignored). A spell still
open when the incident resolves ends at `resolved_at`; an unresolved one has `end=None`.
Scheduled maintenances become `Outage(excluded=True)` over `scheduled_for`..`scheduled_until`.
Only `sources.components` (names) are kept when the contract lists some; group rows are
never components of their own.

The window is ignored for fetching (the API has no time filter); outages that do not
overlap it are dropped from the result.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor.collectors.base import Clock, CollectResult, Limits, TimeWindow
from monitor.collectors.http import HttpClient
from monitor.domain.contract import Contract
from monitor.domain.measurements import Outage
from monitor.errors import PermanentError

STATUS_IMPACT = {"major_outage": "full", "partial_outage": "partial",
                 "degraded_performance": "degraded"}
INCIDENT_IMPACT = {"critical": "full", "major": "partial", "minor": "degraded"}


class StatuspageCollector:
    kind = "statuspage"
    limits = Limits(granularity=timedelta(minutes=1), max_span=timedelta(days=3650),
                    history=timedelta(days=3650), trailing=timedelta(days=90))

    def __init__(self, contract: Contract, http: HttpClient, clock: Clock,
                 page_url: str | None = None) -> None:
        self.contract, self.http, self.clock = contract, http, clock
        url = page_url or contract.sources.status_page
        if not url:
            raise PermanentError(f"contract {contract.id}: sources.status_page is not set")
        self.page_url = url.rstrip("/")
        self.components = frozenset(contract.sources.components)

    def collect(self, window: TimeWindow) -> CollectResult:
        before = self.http.stats()
        incidents = self.http.get_json(f"{self.page_url}/api/v2/incidents.json")
        maintenances = self.http.get_json(f"{self.page_url}/api/v2/scheduled-maintenances.json")
        outages = tuple(o for o in self.parse_incidents(incidents) if _overlaps(o, window))
        planned = tuple(o for o in self.parse_maintenances(maintenances) if _overlaps(o, window))
        return CollectResult(source=self.kind, window=window, outages=outages,
                             maintenances=planned, stats=self.http.stats().since(before))

    def commit(self, result: CollectResult) -> None:
        return None

    def _wanted(self, name: str | None) -> bool:
        return bool(name) and (not self.components or name in self.components)

    def parse_incidents(self, body: Any) -> list[Outage]:
        if not isinstance(body, dict) or not isinstance(body.get("incidents"), list):
            raise PermanentError("Statuspage incidents.json: no `incidents` list")
        outages: list[Outage] = []
        for incident in body["incidents"]:
            outages += self._incident(incident)
        return outages

    def _incident(self, incident: dict[str, Any]) -> list[Outage]:
        ident = str(incident["id"])
        started = _ts(incident.get("started_at") or incident.get("created_at"))
        resolved = _ts(incident.get("resolved_at"))
        updates = sorted(incident.get("incident_updates") or [],
                         key=lambda u: u.get("display_at") or u.get("created_at") or "")
        open_spells: dict[str, tuple[datetime, str]] = {}
        outages: list[Outage] = []
        seen_transition = False
        for update in updates:
            at = _ts(update.get("display_at") or update.get("created_at"))
            for change in update.get("affected_components") or []:
                seen_transition = True
                name = change.get("name")
                if not self._wanted(name) or at is None:
                    continue
                impact = STATUS_IMPACT.get(str(change.get("new_status")))
                current = open_spells.get(name)
                if current is not None and current[1] != impact:
                    outages.append(self._outage(name, current[0], at, current[1], ident))
                    del open_spells[name]
                if impact is not None and name not in open_spells:
                    open_spells[name] = (at, impact)
        for name, (start, impact) in open_spells.items():
            outages.append(self._outage(name, start, resolved, impact, ident))
        if seen_transition or started is None:
            return outages
        impact = INCIDENT_IMPACT.get(str(incident.get("impact")))
        if impact is None:
            return outages
        for component in incident.get("components") or []:
            if component.get("group") or not self._wanted(component.get("name")):
                continue
            outages.append(self._outage(component["name"], started, resolved, impact, ident))
        return outages

    def _outage(self, service: str, start: datetime, end: datetime | None, impact: str,
                ident: str) -> Outage:
        """`ref` = incident/component/start: stable across polls, so storage can upsert."""
        return Outage(service=service, start=start, end=end, impact=impact,
                      source=f"statuspage:{self.page_url}",
                      ref=f"{ident}/{service}/{start.isoformat()}")

    def parse_maintenances(self, body: Any) -> list[Outage]:
        if not isinstance(body, dict) or not isinstance(body.get("scheduled_maintenances"), list):
            raise PermanentError("Statuspage scheduled-maintenances.json: no list")
        out: list[Outage] = []
        for item in body["scheduled_maintenances"]:
            start, end = _ts(item.get("scheduled_for")), _ts(item.get("scheduled_until"))
            if start is None:
                continue
            names = [c["name"] for c in item.get("components") or []
                     if not c.get("group") and self._wanted(c.get("name"))]
            if not names and not self.components:
                names = ["all"]
            for name in names:
                out.append(Outage(service=name, start=start, end=end, impact="full",
                                  excluded=True, source=f"statuspage:{self.page_url}",
                                  ref=f"{item['id']}/{name}"))
        return out


def _ts(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _overlaps(outage: Outage, window: TimeWindow) -> bool:
    return outage.start < window.end and (outage.end is None or outage.end > window.start)
