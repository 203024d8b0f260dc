"""Five9: a SKILL x HALF HOUR report through the Configuration Web Services (SOAP).

Flow (research/vendor_apis_2.md §2.1, Five9's own documentation): `runReport(folderName,
reportName, criteria{time{start,end}, reportObjects[Skill: the contract's skills]})` ->
`isReportRunning(identifier, timeout >= 5 s)` until false -> `getReportResultCsv(identifier)`.
HTTP Basic auth on `https://{data-centre host}/wsadmin/{version}/AdminWebService`. SOAP is
zeep's job (the WSDL subset ships as `five9_admin.wsdl`); every request still travels the
one HTTP seam (`SeamTransport`), which enforces Five9's per-minute limits (runReport 16,
retrievals 20, queries 450; `sources.*_per_minute` if Five9 changes them).

The report is defined by the customer in Five9's Dashboards & Reports UI, so its folder,
name and column titles are settings (docs/collectors.md lists the defaults, taken from a
production dashboard's report, §2.2). Rows are Pacific time ("Reports obtained with the API
use the Pacific time zone, adjusted for daylight savings time"): DATE + HALF HOUR are read
in `sources.report_timezone` and converted to UTC; in the repeated hour of November the
second row with the same label is the later one (fold=1). Durations are HH:MM:SS (hours may
exceed 24), summed per row unless `sources.durations: average`.

Mapping: offered = CALLS; abandoned = ABANDONED; answered = handled = ANSWERED when the
report has that column, else CALLS - ABANDONED [UNCERTAIN]; flowouts = the rest;
answered_within_<T>s = SERVICE LEVEL for T = `sources.service_level_seconds` (the skill's
SL setting in Five9); any other threshold only from a column named by a setting
`answered_within_<T>s` / `abandoned_within_<T>s`; answer_wait_seconds = SPEED OF ANSWER;
handle_seconds = HANDLE TIME. Credentials: `username`, `password`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from lxml.etree import XMLSyntaxError
from zeep import Client
from zeep.exceptions import Fault, TransportError, XMLParseError
from zeep.transports import Transport

from monitor.collectors.base import (
    Clock,
    CollectResult,
    Limits,
    TimeWindow,
    api_base,
    contract_thresholds,
    credential,
    explicit_api_host,
    frame_from_rows,
    require_queues,
    setting,
    threshold_column,
    whole_seconds,
)
from monitor.collectors.http import HttpClient
from monitor.collectors.platforms import FIVE9_COLUMNS as COLUMNS
from monitor.collectors.platforms import FIVE9_DATA_CENTRES as DATA_CENTRES
from monitor.domain.contract import Contract
from monitor.errors import PermanentError, TransientError

WSDL = Path(__file__).with_name("five9_admin.wsdl")
BINDING = "{http://service.admin.ws.five9.com/}WsAdminServiceSoapBinding"
_LIMIT_FAULT = re.compile(r"limit|too many|exceeded|try again", re.I)
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def hms(value: str) -> float:
    """`HH:MM:SS` (hours may pass 24, seconds may carry a fraction) or plain seconds."""
    text = (value or "").strip()
    if not text:
        return 0.0
    parts = text.split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise PermanentError(f"Five9 report: {value!r} is not a HH:MM:SS duration") from None
    seconds = 0.0
    for part in numbers:
        seconds = seconds * 60 + part
    return seconds


def count(value: str | None) -> int:
    text = (value or "").strip().replace(",", "")
    try:
        return int(float(text)) if text else 0
    except ValueError:
        raise PermanentError(f"Five9 report: {value!r} is not a count") from None


class SeamTransport(Transport):
    """zeep's transport, sending through the HTTP seam: retries, limits, redaction."""

    def __init__(self, http: HttpClient, basic: tuple[str, str]) -> None:
        super().__init__(session=http.session)
        self.http, self.basic = http, basic
        self.limit: str | None = None

    def post(self, address: str, message: bytes, headers: dict[str, str]
             ) -> requests.Response:
        return self.http.request_raw("POST", address, data=message, headers=headers,
                                     basic=self.basic, limit=self.limit,
                                     passthrough=_is_soap_fault)


def _is_soap_fault(response: requests.Response) -> bool:
    return response.status_code == 500 and b"Fault" in response.content[:2000]


class Five9Collector:
    kind = "five9"
    limits = Limits(granularity=timedelta(minutes=30), max_span=timedelta(days=1),
                    history=timedelta(days=90), trailing=timedelta(hours=2))

    def __init__(self, contract: Contract, http: HttpClient, clock: Clock) -> None:
        self.contract, self.http, self.clock = contract, http, clock
        settings = contract.sources.settings
        require_queues(contract)
        centre = setting(contract, "data_centre", "us")
        if centre not in DATA_CENTRES and not explicit_api_host(contract):
            raise PermanentError(f"contract {contract.id}: sources.data_centre {centre!r} is "
                                 f"not a Five9 data centre ({', '.join(DATA_CENTRES)})")
        base = api_base(contract, f"https://{DATA_CENTRES.get(centre, '')}")
        version = setting(contract, "api_version", "v13")
        self.address = f"{base}/wsadmin/{version}/AdminWebService"
        self.folder = setting(contract, "report_folder", "Contact Center Reports")
        self.report = setting(contract, "report_name", "slamon SKILL x HALF HOUR")
        try:
            self.tz = ZoneInfo(setting(contract, "report_timezone", "America/Los_Angeles"))
        except (ZoneInfoNotFoundError, ValueError):
            raise PermanentError(f"contract {contract.id}: sources.report_timezone is not an "
                                 "IANA time zone") from None
        self.date_format = setting(contract, "date_format", "%Y/%m/%d")
        self.columns = {key: setting(contract, key, title).upper()
                        for key, title in COLUMNS.items()}
        self.average = setting(contract, "durations", "sum") == "average"
        self.poll_timeout = max(5, int(setting(contract, "poll_timeout", "5")))
        self.max_polls = int(setting(contract, "max_polls", "60"))
        sl = settings.get("service_level_seconds")
        self.sl_seconds = int(sl) if sl else None
        self.thresholds = contract_thresholds(contract)
        username = credential(contract, "username")
        password = credential(contract, "password")
        http.add_secret(password)
        for name, key, default in (("five9.runReport", "run_reports_per_minute", 16),
                                   ("five9.retrieve", "retrievals_per_minute", 20),
                                   ("five9.query", "queries_per_minute", 450)):
            http.limit(name, int(settings.get(key) or default), 60.0)
        self.transport = SeamTransport(http, (username, password))
        client = Client(str(WSDL), transport=self.transport)
        self.service = client.create_service(BINDING, self.address)

    # -- the Protocol --------------------------------------------------------------------
    def collect(self, window: TimeWindow) -> CollectResult:
        before = self.http.stats()
        problems: list[str] = []
        text = self.fetch_csv(window)
        rows = self.parse(text, window, problems)
        return CollectResult(source=self.kind, window=window, intervals=frame_from_rows(rows),
                             stats=self.http.stats().since(before), problems=tuple(problems))

    def commit(self, result: CollectResult) -> None:
        return None

    # -- SOAP ----------------------------------------------------------------------------
    def fetch_csv(self, window: TimeWindow) -> str:
        criteria = {
            "reportObjects": [{"objectType": "Skill",
                               "objectNames": [q.id for q in self.contract.sources.queues]}],
            "time": {"start": window.start.astimezone(self.tz),
                     "end": window.end.astimezone(self.tz)},
        }
        identifier = self._call("runReport", "five9.runReport", folderName=self.folder,
                                reportName=self.report, criteria=criteria)
        for _ in range(self.max_polls):
            if not self._call("isReportRunning", "five9.query", identifier=identifier,
                              timeout=self.poll_timeout):
                break
        else:
            raise TransientError(f"Five9 report {identifier} still running after "
                                 f"{self.max_polls} polls of {self.poll_timeout} s")
        return str(self._call("getReportResultCsv", "five9.retrieve",
                              identifier=identifier) or "")

    def _call(self, operation: str, limit: str, **kwargs: Any) -> Any:
        """One SOAP call; a garbled answer is retried here, the seam retries the rest."""
        attempt = 0
        while True:
            self.transport.limit = limit
            try:
                return getattr(self.service, operation)(**kwargs)
            except Fault as exc:
                message = self.http.redact(str(exc.message))
                if _LIMIT_FAULT.search(message):
                    raise TransientError(f"Five9 {operation}: {message}") from None
                raise PermanentError(f"Five9 {operation}: {message}") from None
            except (XMLSyntaxError, XMLParseError, TransportError) as exc:
                if attempt >= self.http.max_retries:
                    raise TransientError(f"Five9 {operation}: unreadable answer: {exc}"
                                         ) from None
                self.http.sleep(self.http.backoff_delay(attempt, None))
                attempt += 1

    # -- the report ----------------------------------------------------------------------
    def parse(self, text: str, window: TimeWindow, problems: list[str]
              ) -> list[dict[str, Any]]:
        """CSV rows -> interval rows for `window`, zero-filled, DST-correct."""
        rows: dict[tuple[str, datetime], dict[str, Any]] = {}
        for queue in self.contract.sources.queues:
            cursor = window.start
            while cursor < window.end:
                rows[(queue.id, cursor)] = self._zero(queue.id, queue.channel, cursor)
                cursor += self.limits.granularity
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = {name.strip().upper(): name for name in reader.fieldnames or []}
        need = [self.columns[k] for k in ("column_skill", "column_date", "column_half_hour",
                                          "column_calls", "column_abandoned")]
        missing = [title for title in need if title not in header]
        if text.strip() and missing:
            raise PermanentError(f"Five9 report {self.folder}/{self.report}: no column "
                                 f"{', '.join(missing)} (have {', '.join(header)})")
        seen: set[tuple[str, str, str]] = set()
        for record in reader:
            value = {title: (record.get(name) or "") for title, name in header.items()}
            self._add(rows, window, value, seen, problems)
        self._threshold_problems(header, problems)
        absent = [c for c, title in self._threshold_columns().items()
                  if header and title not in header]
        return [{k: v for k, v in row.items() if k not in absent} for row in rows.values()]

    def _add(self, rows: Mapping[tuple[str, datetime], dict[str, Any]], window: TimeWindow,
             value: Mapping[str, str], seen: set[tuple[str, str, str]],
             problems: list[str]) -> None:
        col = self.columns
        skill, day, half = (value[col["column_skill"]].strip(), value[col["column_date"]].strip(),
                            value[col["column_half_hour"]].strip())
        start = self._utc(day, half, (skill, day, half) in seen, window, problems)
        seen.add((skill, day, half))
        row = rows.get((skill, start)) if start is not None else None
        if row is None or start is None or not window.start <= start < window.end:
            return
        calls, abandoned = count(value[col["column_calls"]]), count(value[col["column_abandoned"]])
        has_answered = col["column_answered"] in value
        answered = count(value[col["column_answered"]]) if has_answered else calls - abandoned
        factor = answered if self.average else 1
        row.update(offered=calls, abandoned=abandoned, answered=answered, handled=answered,
                   flowouts=max(0, calls - answered - abandoned),
                   answer_wait_seconds=whole_seconds(
                       hms(value.get(col["column_speed_of_answer"], "")) * factor),
                   handle_seconds=whole_seconds(
                       hms(value.get(col["column_handle_time"], "")) * factor))
        for column, title in self._threshold_columns().items():
            if title in value:
                row[column] = count(value[title])

    def _utc(self, day: str, half: str, repeated: bool, window: TimeWindow,
             problems: list[str]) -> datetime | None:
        match = _TIME.search(half)
        try:
            date = datetime.strptime(day, self.date_format)
        except ValueError:
            raise PermanentError(f"Five9 report: DATE {day!r} does not match "
                                 f"sources.date_format {self.date_format!r}") from None
        if match is None:
            raise PermanentError(f"Five9 report: HALF HOUR {half!r} has no HH:MM")
        wall = date.replace(hour=int(match[1]), minute=int(match[2]), tzinfo=self.tz)
        early, late = (wall.replace(fold=f).astimezone(UTC) for f in (0, 1))
        if early.astimezone(self.tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
            problems.append(f"Five9 report: {day} {half} does not exist in {self.tz.key} "
                            "(clocks went forward); row skipped")
            return None
        if early == late:
            return early
        # The repeated hour of November: a label stands for two half hours. The report
        # covers only the asked window, so a label with one reading inside it is that one;
        # with both inside, rows come in time order and the second is the later.
        inside = [m for m in (early, late) if window.start <= m < window.end]
        if len(inside) == 1:
            return inside[0]
        return late if repeated else early

    def _threshold_columns(self) -> dict[str, str]:
        """Interchange threshold column -> report column title."""
        out: dict[str, str] = {}
        if self.sl_seconds is not None:
            out[threshold_column("answered_within_", self.sl_seconds)] = \
                self.columns["column_service_level"]
        for key, title in self.contract.sources.settings.items():
            if re.fullmatch(r"(answered|abandoned)_within_\d+s", key):
                out[key] = str(title).upper()
        return out

    def _threshold_problems(self, header: Mapping[str, str], problems: list[str]) -> None:
        mapped = self._threshold_columns()
        wanted = [threshold_column("answered_within_", t) for t in self.thresholds.answered]
        wanted += [threshold_column("abandoned_within_", t) for t in self.thresholds.abandoned]
        for column in wanted:
            title = mapped.get(column)
            if title is None:
                problems.append(f"{column} is not configured for Five9: set "
                                f"sources.service_level_seconds or sources.{column} to a "
                                "report column")
            elif header and title not in header:
                problems.append(f"{column}: the report has no column {title!r}")

    def _zero(self, queue: str, channel: str, start: datetime) -> dict[str, Any]:
        row: dict[str, Any] = {
            "queue": queue, "channel": channel, "interval_start": start,
            "interval_minutes": int(self.limits.granularity.total_seconds() // 60),
            "offered": 0, "answered": 0, "abandoned": 0, "flowouts": 0,
            "answer_wait_seconds": 0, "handled": 0, "handle_seconds": 0}
        for column in self._threshold_columns():
            row[column] = 0
        return row
