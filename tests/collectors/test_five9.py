"""Five9 collector: the runReport -> isReportRunning -> getReportResultCsv flow over SOAP.

The SOAP envelopes follow the AdminWebService WSDL Five9 serves (copy in LasLabs/python-five9
`five9/tests/wsdl/AdminWebService.wsdl`); the report columns (SKILL, DATE, HALF HOUR, CALLS,
ABANDONED, SERVICE LEVEL, SPEED OF ANSWER, HANDLE TIME as HH:MM:SS) are those of the
production dashboard angmarceau1971/five9-call-dashboard `src/datasources/five9-update.js`
(research/vendor_apis_2.md §2.2). No Five9-published CSV sample exists; the rows are ours.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import pytest
import responses

from monitor.collectors import HttpClient, TimeWindow, build_collector
from monitor.collectors.five9 import Five9Collector, hms
from monitor.domain.contract import AbandonTreatment, Metric, Queue, Sla, Target
from monitor.errors import PermanentError, TransientError
from monitor.simulator import make_contract

ADDRESS = "https://api.five9.com/wsadmin/v13/AdminWebService"
ENV = {"F9_USER": "api-admin@example.com", "F9_PASS": "f9-password-secret"}
NS = "http://service.admin.ws.five9.com/"
HEADER = ("SKILL,DATE,HALF HOUR,CALLS,ANSWERED,ABANDONED,SERVICE LEVEL,SPEED OF ANSWER,"
          "HANDLE TIME\n")


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


def envelope(operation: str, value: str) -> str:
    return ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            f'<ns2:{operation}Response xmlns:ns2="{NS}"><return>{escape(value)}</return>'
            f'</ns2:{operation}Response></soap:Body></soap:Envelope>')


def fault(message: str) -> str:
    return ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            f'<soap:Fault><faultcode>soap:Server</faultcode><faultstring>{message}'
            '</faultstring></soap:Fault></soap:Body></soap:Envelope>')


def collector(t: FakeTime | None = None, **settings: str) -> Five9Collector:
    t = t or FakeTime()
    slas = (Sla(id="sl", metric=Metric.SERVICE_LEVEL, target=Target(Decimal("0.8")),
                threshold=timedelta(seconds=20), abandons=AbandonTreatment.IGNORE),)
    contract = make_contract("five9", (Queue("Billing", "Billing"),), slas=slas,
                             settings={"service_level_seconds": "20", **settings},
                             credentials_env={"username": "F9_USER", "password": "F9_PASS"})
    http = HttpClient(sleep=t.sleep, clock=t.clock, max_retries=3, jitter=0)
    built = build_collector(contract, http=http)
    assert isinstance(built, Five9Collector)
    return built


class Five9Stub:
    """A SOAP endpoint answering by operation; records what it was asked."""

    def __init__(self, csv: str, running: int = 1) -> None:
        self.csv, self.running = csv, running
        self.bodies: list[str] = []
        self.scripted: list[tuple[int, str]] = []

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        self.bodies.append(body)
        basic = base64.b64encode(b"api-admin@example.com:f9-password-secret").decode()
        assert request.headers["Authorization"] == f"Basic {basic}"
        if self.scripted:
            status, text = self.scripted.pop(0)
            return status, {"Content-Type": "text/xml"}, text
        if "runReport>" in body:
            return 200, {}, envelope("runReport", "rpt-42")
        if "isReportRunning>" in body:
            self.running -= 1
            return 200, {}, envelope("isReportRunning", "true" if self.running >= 0 else "false")
        return 200, {}, envelope("getReportResultCsv", self.csv)


def test_hh_mm_ss_durations_may_pass_a_day_and_carry_fractions() -> None:
    assert hms("00:01:05") == 65
    assert hms("26:00:00") == 93600
    assert hms("00:00:12.5") == 12.5
    assert hms("") == 0


def test_pacific_rows_across_the_november_repeated_hour_land_on_four_utc_intervals(
        env: None) -> None:
    # 2026-11-01: 01:00-01:59 Pacific happens twice (PDT, then PST). Rows arrive sorted by
    # label, so the second row of a label is the later hour.
    csv = HEADER + "\n".join([
        "Billing,2026/11/01,01:00,10,9,1,8,00:01:30,00:45:00",
        "Billing,2026/11/01,01:00,20,18,2,15,00:03:00,01:30:00",
        "Billing,2026/11/01,01:30,4,4,0,4,00:00:20,00:10:00",
        "Billing,2026/11/01,01:30,6,5,0,5,00:00:30,00:20:00",
    ]) + "\n"
    stub = Five9Stub(csv)
    nice = collector()
    window = TimeWindow(datetime(2026, 11, 1, 8, tzinfo=UTC), datetime(2026, 11, 1, 10, tzinfo=UTC))
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, ADDRESS, callback=stub)
        result = nice.collect(window)
    run = stub.bodies[0]
    assert "<folderName>Contact Center Reports</folderName>" in run
    assert "<objectType>Skill</objectType>" in run
    assert "<objectNames>Billing</objectNames>" in run
    assert "<start>2026-11-01T01:00:00-07:00</start>" in run  # 08:00 UTC in PDT
    assert "<end>2026-11-01T02:00:00-08:00</end>" in run  # 10:00 UTC in PST
    assert "<timeout>5</timeout>" in stub.bodies[1]
    assert len(stub.bodies) == 4  # run, running (true), running (false), CSV
    rows = result.intervals.set_index(result.intervals["interval_start"].dt.strftime("%H:%M"))
    assert list(rows.index) == ["08:00", "08:30", "09:00", "09:30"]
    assert list(rows["offered"]) == [10, 4, 20, 6]
    assert list(rows["answered"]) == [9, 4, 18, 5]
    assert list(rows["flowouts"]) == [0, 0, 0, 1]  # 6 calls, 5 answered, 0 abandoned
    assert list(rows["answered_within_20s"]) == [8, 4, 15, 5]
    assert list(rows["answer_wait_seconds"]) == [90, 20, 180, 30]
    assert list(rows["handle_seconds"]) == [2700, 600, 5400, 1200]
    assert result.problems == ()


def test_without_an_answered_column_answered_is_calls_minus_abandoned_and_averages_multiply(
        env: None) -> None:
    csv = ("skill,date,half hour,calls,abandoned,service level,speed of answer,handle time\n"
           "Billing,2026/07/06,09:30,12,2,7,00:00:15,00:04:00\n")
    stub = Five9Stub(csv, running=0)
    nice = collector(durations="average")
    window = TimeWindow(datetime(2026, 7, 6, 16, 30, tzinfo=UTC),
                        datetime(2026, 7, 6, 17, tzinfo=UTC))  # 09:30 PDT
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, ADDRESS, callback=stub)
        row = nice.collect(window).intervals.iloc[0]
    assert (int(row["offered"]), int(row["answered"]), int(row["abandoned"])) == (12, 10, 2)
    assert int(row["answer_wait_seconds"]) == 150  # 15 s average x 10 answered
    assert int(row["handle_seconds"]) == 2400


def test_a_spring_forward_label_that_cannot_exist_is_reported_not_guessed(env: None) -> None:
    csv = HEADER + "Billing,2026/03/08,02:30,3,3,0,3,00:00:10,00:05:00\n"
    stub = Five9Stub(csv, running=0)
    window = TimeWindow(datetime(2026, 3, 8, 9, tzinfo=UTC), datetime(2026, 3, 8, 11, tzinfo=UTC))
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, ADDRESS, callback=stub)
        result = collector().collect(window)
    assert int(result.intervals["offered"].sum()) == 0
    assert result.problems == ("Five9 report: 2026/03/08 02:30 does not exist in "
                               "America/Los_Angeles (clocks went forward); row skipped",)


def test_no_more_than_16_reports_are_started_in_any_minute(env: None) -> None:
    t = FakeTime()
    stub = Five9Stub(HEADER, running=-100)  # never running: run, poll, fetch per window
    nice = collector(t)
    started: list[float] = []

    def recorder(request: Any) -> tuple[int, dict[str, str], str]:
        body = request.body.decode()
        if "runReport>" in body:
            started.append(t.now)
        return stub(request)

    start = datetime(2026, 10, 5, tzinfo=UTC)
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, ADDRESS, callback=recorder)
        for day in range(40):
            nice.collect(TimeWindow(start + timedelta(days=day),
                                    start + timedelta(days=day + 1)))
    assert len(started) == 40
    assert max(sum(1 for s in started if a <= s < a + 60) for a in started) == 16
    assert started[16] == pytest.approx(60.0)  # the 17th waits for the first to age out


def test_faults_transient_answers_and_garbled_xml_are_retried_report_errors_are_not(
        env: None) -> None:
    stub = Five9Stub(HEADER, running=0)
    stub.scripted = [(503, "<html>busy</html>"), (200, "<soap:Envelope><soap:Bo"),
                     (500, fault("Request limit exceeded: runReport 16 per minute"))]
    nice = collector()
    window = TimeWindow(datetime(2026, 10, 5, 14, tzinfo=UTC),
                        datetime(2026, 10, 5, 15, tzinfo=UTC))
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, ADDRESS, callback=stub)
        with pytest.raises(TransientError, match="Request limit exceeded"):
            nice.collect(window)  # a limit fault is transient: the service retries later
        result = nice.collect(window)
        assert int(result.intervals["offered"].sum()) == 0
        stub.scripted = [(500, fault("Report &quot;Nope&quot; not found in folder"))]
        with pytest.raises(PermanentError, match='Five9 runReport: Report "Nope" not found'):
            nice.collect(window)


def test_a_report_without_the_needed_columns_is_refused_by_name(env: None) -> None:
    stub = Five9Stub("SKILL,DATE,CALLS\nBilling,2026/10/05,3\n", running=0)
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, ADDRESS, callback=stub)
        with pytest.raises(PermanentError, match="no column HALF HOUR, ABANDONED"):
            collector().collect(TimeWindow(datetime(2026, 10, 5, 14, tzinfo=UTC),
                                           datetime(2026, 10, 5, 15, tzinfo=UTC)))


def test_an_unknown_data_centre_is_refused(env: None) -> None:
    with pytest.raises(PermanentError, match=r"sources\.data_centre 'mars' is not a Five9"):
        collector(data_centre="mars")


def test_a_repeated_hour_label_alone_in_a_window_is_the_half_hour_inside_it(env: None) -> None:
    # A window of 09:00-10:00 UTC asks for 01:00-02:00 PST only: Five9 returns one 01:00
    # row, which is the second (PST) 01:00, not the PDT one an hour earlier.
    csv = HEADER + "Billing,2026/11/01,01:00,7,7,0,7,00:00:35,00:14:00\n"
    stub = Five9Stub(csv, running=0)
    window = TimeWindow(datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 1, 10, tzinfo=UTC))
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, ADDRESS, callback=stub)
        result = collector().collect(window)
    offered = dict(zip(result.intervals["interval_start"].dt.strftime("%H:%M"),
                       result.intervals["offered"], strict=True))
    assert offered == {"09:00": 7, "09:30": 0}
