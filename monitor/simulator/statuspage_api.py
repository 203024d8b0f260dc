"""Statuspage-shaped public endpoints: incidents, scheduled maintenances, components.

Shapes follow research/vendor_apis.md §4.2 (ISO-8601 UTC with milliseconds, nullable
`monitoring_at`/`resolved_at`/`affected_components`, group component rows). The voice
outage is told through `affected_components` transitions; the chat incident has none, so
a reader must fall back to the incident's impact and component list.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor.collectors.base import iso_z
from monitor.simulator.scenario import Scenario

PAGE = {"id": "simpage0001", "name": "Simulated Vendor", "url": "http://127.0.0.1",
        "time_zone": "Etc/UTC", "updated_at": "2026-10-05T00:00:00.000Z"}
CODES = {"Voice": "vvoice000001", "Chat": "cchat0000001", "Analytics": "aanalytics01"}


def _component(name: str, status: str = "operational") -> dict[str, Any]:
    return {"id": CODES[name], "name": name, "status": status,
            "created_at": "2019-11-13T18:00:24.256Z", "updated_at": "2026-10-05T00:00:00.000Z",
            "position": list(CODES).index(name) + 1, "description": None, "showcase": False,
            "start_date": None, "group_id": "ggroup000001", "page_id": PAGE["id"],
            "group": False, "only_show_if_degraded": False}


GROUP = {"id": "ggroup000001", "name": "Contact Center", "status": "operational",
         "created_at": "2019-11-13T18:00:24.256Z", "updated_at": "2026-10-05T00:00:00.000Z",
         "position": 0, "description": None, "showcase": False, "start_date": None,
         "group_id": None, "page_id": PAGE["id"], "group": True,
         "only_show_if_degraded": False, "components": list(CODES.values())}


def _update(incident: str, n: int, status: str, at: datetime, body: str,
            change: tuple[str, str, str] | None) -> dict[str, Any]:
    affected = None if change is None else [
        {"code": CODES[change[0]], "name": change[0], "old_status": change[1],
         "new_status": change[2]}]
    return {"id": f"{incident}u{n}", "status": status, "body": body, "incident_id": incident,
            "created_at": iso_z(at), "updated_at": iso_z(at), "display_at": iso_z(at),
            "affected_components": affected, "deliver_notifications": True,
            "custom_tweet": None, "tweet_id": None}


class StatuspageApi:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    def _incident(self, ident: str, name: str, impact: str, component: str,
                  updates: list[dict[str, Any]], now: datetime) -> dict[str, Any] | None:
        shown = [u for u in updates if u["display_at"] <= iso_z(now)]
        if not shown:
            return None
        last = shown[-1]
        first = shown[0]
        monitoring = next((u["display_at"] for u in shown if u["status"] == "monitoring"), None)
        resolved = last["display_at"] if last["status"] == "resolved" else None
        return {"id": ident, "name": name, "status": last["status"], "impact": impact,
                "created_at": first["created_at"], "updated_at": last["updated_at"],
                "monitoring_at": monitoring, "resolved_at": resolved,
                "started_at": first["created_at"], "shortlink": f"https://stspg.io/{ident}",
                "page_id": PAGE["id"], "incident_updates": list(reversed(shown)),
                "components": [_component(component)]}

    def incidents(self) -> dict[str, Any]:
        now = self.scenario.clock.now()
        start, end = self.scenario.outage_window()
        monitoring = end - timedelta(minutes=15)
        voice = [
            _update("sim-voice", 1, "investigating", start,
                    "We are investigating failed inbound calls.",
                    ("Voice", "operational", "major_outage")),
            _update("sim-voice", 2, "identified", start + timedelta(minutes=10),
                    "The issue has been identified.", None),
            _update("sim-voice", 3, "monitoring", monitoring, "A fix has been implemented.",
                    ("Voice", "major_outage", "degraded_performance")),
            _update("sim-voice", 4, "resolved", end, "This incident has been resolved.",
                    ("Voice", "degraded_performance", "operational")),
        ]
        chat_start = self.scenario.start + timedelta(hours=19)
        chat = [
            _update("sim-chat", 1, "investigating", chat_start,
                    "Some chat messages are delayed.", None),
            _update("sim-chat", 2, "resolved", chat_start + timedelta(minutes=20),
                    "This incident has been resolved.", None),
        ]
        incidents = [i for i in (
            self._incident("sim-chat", "Delayed chat messages", "minor", "Chat", chat, now),
            self._incident("sim-voice", "Inbound calls failing", "critical", "Voice", voice,
                           now)) if i is not None]
        return {"page": PAGE, "incidents": incidents}

    def maintenances(self) -> dict[str, Any]:
        (item,) = self.scenario.maintenances()
        now = self.scenario.clock.now()
        assert item.end is not None
        status = ("completed" if now >= item.end else
                  "in_progress" if now >= item.start else "scheduled")
        return {"page": PAGE, "scheduled_maintenances": [{
            "id": "sim-maint", "name": "Voice platform upgrade", "status": status,
            "impact": "maintenance", "created_at": iso_z(item.start - timedelta(days=3)),
            "updated_at": iso_z(item.start), "monitoring_at": None,
            "resolved_at": iso_z(item.end) if status == "completed" else None,
            "started_at": iso_z(item.start), "shortlink": "https://stspg.io/simmaint",
            "page_id": PAGE["id"], "scheduled_for": iso_z(item.start),
            "scheduled_until": iso_z(item.end), "incident_updates": [],
            "components": [_component("Voice")]}]}

    def components(self) -> dict[str, Any]:
        return {"page": PAGE, "components": [GROUP] + [_component(n) for n in CODES]}
