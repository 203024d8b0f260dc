"""Talkdesk-shaped Explore report jobs: create, status (then a 303 to the file), download.

Routes (research/vendor_apis_2.md §3.2): `POST /data/reports/{type}/jobs` -> `{"job":
{id, status: created, ...}}`; `GET /data/reports/{type}/jobs/{id}` answers `processing`
once, then `303 See Other` with `Location: /data/reports/{type}/files/{id}`; the file is
`{"type", "version": "v1", "entries": [...], "total"}`. Bearer tokens from the shared
`POST /oauth/token`. The contacts report has one record per contact, ring group = the
queue id, contact_type Answered / Abandoned / Short Abandoned / Missed (a flow-out), times
with milliseconds so every threshold is exact. The timespan keeps contacts by start.
"""

from __future__ import annotations

import itertools
import threading
from datetime import datetime
from typing import Any

from monitor.collectors.base import iso_z
from monitor.simulator.genesys_api import error_body
from monitor.simulator.nice_api import contacts
from monitor.simulator.scenario import Scenario

Reply = tuple[int, Any, dict[str, str]]
TYPES = {"answered": "Answered", "abandoned": "Abandoned", "flowout": "Missed"}


class TalkdeskApi:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.jobs: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def create(self, report: str, body: Any) -> Reply:
        if report != "contacts":
            return 400, error_body(400, "bad.request", f"the simulator serves contacts, "
                                   f"not {report}"), {}
        try:
            span = body["timespan"]
            start = datetime.fromisoformat(str(span["from"]).replace("Z", "+00:00"))
            end = datetime.fromisoformat(str(span["to"]).replace("Z", "+00:00"))
        except (KeyError, TypeError, ValueError):
            return 400, error_body(400, "bad.request", "timespan.from and .to required"), {}
        job_id = f"sim-job-{next(self._ids)}"
        job = {"id": job_id, "name": body.get("name"), "status": "created",
               "format": body.get("format", "json"),
               "timezone": body.get("timezone") or span.get("timezone") or "UTC",
               "timespan": {"from": span["from"], "to": span["to"]}}
        with self._lock:
            self.jobs[job_id] = {**job, "_start": start, "_end": end, "_checks": 0}
        return 202, {"job": job}, {}

    def status(self, report: str, job_id: str) -> Reply:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is not None:
                job["_checks"] += 1
        if job is None:
            return 404, error_body(404, "not.found", f"job {job_id} not found"), {}
        if job["_checks"] == 1:
            public = {k: v for k, v in job.items() if not k.startswith("_")}
            return 200, {"job": {**public, "status": "processing"},
                         "_links": {"self": {"href": f"/data/reports/{report}/jobs/{job_id}"}}}, {}
        return 303, None, {"Location": f"/data/reports/{report}/files/{job_id}"}

    def file(self, report: str, job_id: str) -> Reply:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None:
            return 404, error_body(404, "not.found", f"file {job_id} not found"), {}
        short_ms = self.scenario.short_abandon_ms
        entries = []
        for n, (queue, when, outcome, wait, handle) in enumerate(contacts(
                self.scenario, job["_start"], job["_end"], self.scenario.clock.now())):
            kind = TYPES[outcome]
            if outcome == "abandoned" and wait <= short_ms:
                kind = "Short Abandoned"
            entries.append({
                "interaction_id": f"sim-{job_id}-{n}", "contact_id": f"c-{n}",
                "direction": "IN", "contact_type": kind, "started_at": iso_z(when),
                "wait_time": wait / 1000,
                "abandon_time": wait / 1000 if outcome == "abandoned" else None,
                "handle_time": handle / 1000 if outcome == "answered" else None,
                "ring_groups": queue, "handling_ring_groups": queue})
        return 200, {"type": report, "version": "v1", "entries": entries,
                     "total": len(entries)}, {}
