"""A Five9-shaped AdminWebService: `runReport`, `isReportRunning`, `getReportResultCsv`.

SOAP 1.1 over `POST /wsadmin/{version}/AdminWebService` with HTTP Basic auth, answers in
the namespace of Five9's WSDL; a bad identifier or folder is a SOAP fault (HTTP 500).
The report is the SKILL x HALF HOUR one slamon's Five9 collector reads by default, rows in
Pacific time with DATE `2026/10/05`, HALF HOUR `09:30`, durations HH:MM:SS (whole seconds,
the interval's exact total rounded as the interchange does), plus two columns a customer
would add for abandon thresholds: SHORT ABANDONED (within the scenario's short-abandon
time) and ABANDONED IN SL (within the queue's SL time). Each report runs for one
`isReportRunning` poll before it is ready.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import threading
from datetime import datetime
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from monitor.collectors.base import whole_seconds
from monitor.simulator.scenario import Scenario

NS = "http://service.admin.ws.five9.com/"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
USER, PASSWORD = "sim-five9-user", "sim-five9-password"
PACIFIC = ZoneInfo("America/Los_Angeles")
HEADER = ["SKILL", "DATE", "HALF HOUR", "CALLS", "ANSWERED", "ABANDONED", "SERVICE LEVEL",
          "SHORT ABANDONED", "ABANDONED IN SL", "SPEED OF ANSWER", "HANDLE TIME"]


class RawBody:
    """A non-JSON answer: the simulator's server sends `text` as is."""

    def __init__(self, text: str, content_type: str) -> None:
        self.text, self.content_type = text, content_type


Reply = tuple[int, Any, dict[str, str]]


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def envelope(inner: str) -> RawBody:
    return RawBody(f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body>{inner}</soap:Body>'
                   "</soap:Envelope>", "text/xml; charset=utf-8")


def fault(message: str) -> Reply:
    return 500, envelope(f"<soap:Fault><faultcode>soap:Server</faultcode><faultstring>"
                         f"{escape(message)}</faultstring></soap:Fault>"), {}


class Five9Api:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.reports: dict[str, tuple[str, int]] = {}  # id -> (csv, polls until done)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def handle(self, headers: dict[str, str], raw: bytes) -> Reply:
        expected = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if headers.get("authorization") != f"Basic {expected}":
            return 401, RawBody("<html><body>401 Unauthorized</body></html>", "text/html"), {}
        try:
            body = ElementTree.fromstring(raw).find(f"{{{SOAP}}}Body")
            call = next(iter(body)) if body is not None else None
        except (ElementTree.ParseError, StopIteration):
            call = None
        if call is None:
            return fault("Malformed SOAP request")
        operation = call.tag.rsplit("}", 1)[-1]
        values = {child.tag.rsplit("}", 1)[-1]: child.text or "" for child in call}
        criteria = next((child for child in call if child.tag.endswith("criteria")), None)
        if operation == "runReport":
            return self._run(values, criteria)
        identifier = values.get("identifier", "")
        with self._lock:
            report = self.reports.get(identifier)
            if report is not None and operation == "isReportRunning":
                self.reports[identifier] = (report[0], report[1] - 1)
        if report is None:
            return fault(f"Unknown identifier: {identifier}")
        if operation == "isReportRunning":
            return self._answer(operation, "true" if report[1] > 0 else "false")
        if operation == "getReportResultCsv":
            if report[1] > 0:
                return fault("Result is not ready")
            return self._answer(operation, report[0])
        return fault(f"Unsupported operation {operation}")

    def _answer(self, operation: str, value: str) -> Reply:
        return 200, envelope(f'<ns2:{operation}Response xmlns:ns2="{NS}"><return>'
                             f"{escape(value)}</return></ns2:{operation}Response>"), {}

    def _run(self, values: dict[str, str], criteria: ElementTree.Element | None) -> Reply:
        folder = values.get("folderName")
        if folder != "Contact Center Reports":
            return fault(f"Report folder {folder!r} not found")
        time = criteria.find("time") if criteria is not None else None
        try:
            assert time is not None
            start = datetime.fromisoformat(time.findtext("start") or "")
            end = datetime.fromisoformat(time.findtext("end") or "")
        except (AssertionError, ValueError):
            return fault("criteria.time needs start and end")
        skills = {e.text for e in criteria.iter("objectNames")} if criteria is not None else set()
        identifier = f"sim-report-{next(self._ids)}"
        with self._lock:
            self.reports[identifier] = (self._csv(start, end, skills), 1)
        return self._answer("runReport", identifier)

    def _csv(self, start: datetime, end: datetime, skills: set[str | None]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        now = self.scenario.clock.now()
        short_ms = self.scenario.short_abandon_ms
        for queue in self.scenario.queues:
            if skills and queue.id not in skills:
                continue
            for at in self.scenario.served_starts(start, end, now):
                c = self.scenario.served(queue.id, at, now)
                if c.offered == 0:
                    continue  # a report has no row for a half hour without calls
                local = at.astimezone(PACIFIC)
                writer.writerow([
                    queue.id, f"{local:%Y/%m/%d}", f"{local:%H:%M}", c.offered,
                    len(c.answered_wait), len(c.abandoned_wait),
                    int((c.answered_wait <= queue.sl_duration_ms).sum()),
                    int((c.abandoned_wait <= short_ms).sum()),
                    int((c.abandoned_wait <= queue.sl_duration_ms).sum()),
                    hms(whole_seconds(int(c.answered_wait.sum()) / 1000)),
                    hms(whole_seconds(int(c.answered_handle.sum()) / 1000))])
        return out.getvalue()
