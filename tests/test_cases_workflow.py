"""The performance-issue workflow: opening, deadlines, transitions, sweeps, a whole quarter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from monitor.cases.deadlines import due_dates
from monitor.cases.events import EventKind
from monitor.cases.model import Action, Case, CaseState, Trigger
from monitor.cases.repository import (
    CaseRepository,
    InMemoryCaseRepository,
    InMemorySentLog,
    SentLog,
    StaleCaseError,
)
from monitor.cases.service import act, tick
from monitor.cases.workflow import open_cases, sweep, transition
from monitor.domain.contract import (
    Calendar,
    Contract,
    Direction,
    Metric,
    PerformanceIssue,
    Rounding,
    Sla,
    Sources,
    Status,
    Target,
    TimeRange,
)
from monitor.domain.periods import period_for
from monitor.domain.results import ChronicFailure, Evaluation, Evidence, SlaResult
from monitor.errors import InputError

NY = ZoneInfo("America/New_York")
WEEKDAYS = {d: (TimeRange(time(8), time(20)),) for d in range(5)}
BUSINESS = Calendar(id="business-hours", weekly=WEEKDAYS, holiday_country="US")


def make_contract(business_days: bool = True, **issue: object) -> Contract:
    fields: dict[str, object] = {
        "acknowledge_within": timedelta(days=1),
        "rca_due_within": timedelta(days=5),
        "escalate_after": timedelta(days=10),
        "business_days": business_days,
        "calendar": "business-hours",
        "contacts": {"vendor": "tam@vendor.example", "ours": "vm@acme.example"},
    }
    fields.update(issue)
    return Contract(
        id="acme", name="ACME voice", vendor="amazon-connect", currency="USD", tz=NY,
        effective_from=date(2026, 1, 1), effective_to=None, rounding=Rounding(),
        fees={"monthly": Decimal("20000")}, calendars={"business-hours": BUSINESS},
        exclusions=(), sources=Sources(),
        slas=(
            Sla(id="service-level-voice", metric=Metric.SERVICE_LEVEL,
                target=Target(Decimal("0.80")), calendar="business-hours"),
            Sla(id="asa", metric=Metric.ASA, target=Target(Decimal(30), Direction.MAX)),
        ),
        performance_issue=PerformanceIssue(**fields),  # type: ignore[arg-type]
    )


CONTRACT = make_contract()


def result(sla_id: str, status: Status, value: str, certain: bool | None = False) -> SlaResult:
    target = CONTRACT.sla(sla_id).target
    return SlaResult(
        sla_id=sla_id, metric=CONTRACT.sla(sla_id).metric.value, value=Decimal(value),
        raw_value=Decimal(value), target=target, status=status,
        evidence=Evidence(numerator=Decimal(725), denominator=Decimal(1000), intervals=480,
                          excluded_minutes=Decimal(0), formula="positive",
                          details={} if certain is None else {"breach_certain": certain}),
    )


def evaluation(label: str, as_of: datetime, status: str, *results: SlaResult) -> Evaluation:
    return Evaluation(contract_id="acme", period=period_for(CONTRACT, label), as_of=as_of,
                      status=status, results=results)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


BREACH_NOV = evaluation("2026-11", ny(2026, 11, 25, 10), "open",
                        result("service-level-voice", Status.BREACHED, "0.725", certain=True),
                        result("asa", Status.MET, "21"))


def opened() -> Case:
    (case,) = open_cases(CONTRACT, BREACH_NOV, (), ())
    return case


# --- opening ---------------------------------------------------------------------------

def test_a_certain_breach_in_an_open_period_opens_one_case_with_its_evidence() -> None:
    case = opened()
    assert case.id == "acme/service-level-voice/2026-11"
    assert case.trigger is Trigger.BREACH_CERTAIN
    assert case.state is CaseState.OPEN
    assert case.opened_at == ny(2026, 11, 25, 10)
    assert case.evidence.describe() == "72.50% against target at least 80.00% (breached)"
    assert case.history[0].note == "breach_certain: " + case.evidence.describe()


@pytest.mark.parametrize(
    ("status", "certain", "sla_status", "expected"),
    [
        ("open", False, Status.BREACHED, None),
        ("open", True, Status.BREACHED, Trigger.BREACH_CERTAIN),
        ("provisional", False, Status.BREACHED, Trigger.BREACH),
        ("final", False, Status.KEY_MEASUREMENT_MISSED, Trigger.BREACH),
        ("final", False, Status.MET, None),
        ("final", False, Status.INSUFFICIENT_DATA, None),
    ],
    ids=[
        "a breach in an open period that may still recover opens nothing",
        "a breach certain before the period ends opens a case",
        "a breach in a closed provisional period opens a case",
        "a missed key measurement opens a case",
        "a met SLA opens nothing",
        "insufficient data opens nothing",
    ],
)
def test_which_results_open_a_case(status: str, certain: bool, sla_status: Status,
                                   expected: Trigger | None) -> None:
    ev = evaluation("2026-11", ny(2026, 12, 2), status,
                    result("service-level-voice", sla_status, "0.7", certain=certain))
    cases = open_cases(CONTRACT, ev, (), ())
    assert [c.trigger for c in cases] == ([] if expected is None else [expected])


@pytest.mark.parametrize(
    ("value", "opens"),
    [("0.764", True), ("0.766", False)],
    ids=[
        "76.4% with 194 of November's 228 business hours gone cannot reach 80%: opens",
        "76.6% can still reach 80% if the rest is perfect: waits",
    ],
)
def test_certainty_is_worked_out_from_the_business_hours_left(value: str, opens: bool) -> None:
    """November 2026 has 19 business days (Veterans Day, Thanksgiving) = 228 h; by
    Wednesday 25th 10:00 16 days and 2 h = 194 h are gone. With the rest perfect at the same
    volume per hour the month ends at v * f + (1 - f), f = 194/228, which reaches 80 % from
    v = 1 - 0.2 / f = 0.76495 on."""
    ev = evaluation("2026-11", ny(2026, 11, 25, 10), "open",
                    result("service-level-voice", Status.BREACHED, value, certain=None))
    assert [c.trigger for c in open_cases(CONTRACT, ev, (), ())] == (
        [Trigger.BREACH_CERTAIN] if opens else [])


def test_opening_again_for_the_same_contract_sla_and_period_changes_nothing() -> None:
    case = opened()
    final = evaluation("2026-11", ny(2026, 12, 3, 6), "final",
                       result("service-level-voice", Status.BREACHED, "0.71"))
    assert open_cases(CONTRACT, BREACH_NOV, (), [case]) == []
    assert open_cases(CONTRACT, final, (), [case]) == []


def test_a_chronic_failure_is_linked_to_the_breach_case_of_the_same_sla_and_period() -> None:
    case = opened()
    chronic = ChronicFailure("service-level-voice", "escalation", ("2026-09", "2026-11"),
                             "2026-11")
    (linked,) = open_cases(CONTRACT, BREACH_NOV, [chronic], [case])
    assert linked.id == case.id
    assert linked.version == 2
    assert [c.consequence for c in linked.chronic] == ["escalation"]
    assert open_cases(CONTRACT, BREACH_NOV, [chronic], [linked]) == []


def test_a_chronic_rule_on_any_sla_opens_its_own_case() -> None:
    chronic = ChronicFailure("any", "termination_right", ("2026-10", "2026-11"), "2026-11")
    (case,) = open_cases(CONTRACT, replace(BREACH_NOV, results=()), [chronic], ())
    assert (case.id, case.trigger) == ("acme/any/2026-11", Trigger.CHRONIC)
    assert case.evidence.describe() == (
        "chronic failure (termination_right) over 2026-10, 2026-11")


# --- deadlines -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("business_days", "opened_at", "within", "due"),
    [
        (True, ny(2026, 11, 25, 10), 1, ny(2026, 11, 28)),
        (True, ny(2026, 11, 25, 10), 10, ny(2026, 12, 11)),
        (True, ny(2026, 11, 6, 23, 30), 1, ny(2026, 11, 10)),
        (True, ny(2026, 11, 10, 9), 1, ny(2026, 11, 13)),
        (True, ny(2026, 10, 30, 12), 1, datetime(2026, 11, 3, 5, tzinfo=UTC)),
        (True, ny(2026, 11, 7, 12), 0, ny(2026, 11, 8)),
        (False, ny(2026, 10, 31, 12), 1, datetime(2026, 11, 1, 16, tzinfo=UTC)),
    ],
    ids=[
        "1 business day from the Wednesday before Thanksgiving skips the holiday: Friday",
        "10 business days skip Thanksgiving and two weekends: end of 10 December",
        "a Friday-night breach is due at the end of Monday",
        "Veterans Day (Wednesday 11 November) is not a business day",
        "across the DST change the deadline is local midnight, 05:00 UTC in EST",
        "0 days is the end of the opening day",
        "elapsed time across the DST change is 24 real hours: 11:00 EST",
    ],
)
def test_deadlines_follow_the_contract_calendar_and_zone(
        business_days: bool, opened_at: datetime, within: int, due: datetime) -> None:
    contract = make_contract(business_days, acknowledge_within=timedelta(days=within))
    case = replace(opened(), opened_at=opened_at)
    assert due_dates(case, contract).acknowledge_by == due


def test_a_part_day_counts_as_a_whole_business_day() -> None:
    contract = make_contract(True, acknowledge_within=timedelta(hours=36))
    assert due_dates(opened(), contract).acknowledge_by == ny(2026, 12, 1)


def test_the_24x7_calendar_counts_monday_to_friday_as_business_days() -> None:
    contract = make_contract(True, calendar="24x7")
    dl = due_dates(opened(), contract)
    # Thanksgiving counts (no holidays on 24x7): Thu 26 is day 1, Fri 27 day 2, ...
    assert dl.acknowledge_by == ny(2026, 11, 27)
    assert dl.escalate_at == ny(2026, 12, 10)


# --- transitions -----------------------------------------------------------------------

def test_each_transition_records_who_when_and_a_note() -> None:
    case = transition(opened(), Action.ACKNOWLEDGE, "tam@vendor.example",
                      ny(2026, 11, 27, 9), "looking into it")
    case = transition(case, "rca", "tam@vendor.example", ny(2026, 12, 1, 9), "RCA-17")
    case = transition(case, Action.RESOLVE, "vm@acme.example", ny(2026, 12, 2, 9))
    assert case.state is CaseState.RESOLVED
    assert case.version == 4
    assert [(e.action, e.from_state, e.to_state, e.who, e.note) for e in case.history[1:]] == [
        ("acknowledge", CaseState.OPEN, CaseState.ACKNOWLEDGED, "tam@vendor.example",
         "looking into it"),
        ("rca", CaseState.ACKNOWLEDGED, CaseState.RCA_RECEIVED, "tam@vendor.example", "RCA-17"),
        ("resolve", CaseState.RCA_RECEIVED, CaseState.RESOLVED, "vm@acme.example", ""),
    ]


def test_an_escalated_case_keeps_its_state_when_the_vendor_acts_late() -> None:
    case = transition(opened(), Action.ESCALATE, "vm@acme.example", ny(2026, 11, 26))
    case = transition(case, Action.ACKNOWLEDGE, "tam@vendor.example", ny(2026, 11, 27))
    case = transition(case, Action.RECEIVE_RCA, "tam@vendor.example", ny(2026, 11, 28))
    assert case.state is CaseState.ESCALATED
    assert transition(case, Action.RESOLVE, "vm", ny(2026, 11, 29)).state is CaseState.RESOLVED


def _resolved() -> Case:
    return transition(opened(), Action.RESOLVE, "vm", ny(2026, 11, 26))


def _acked() -> Case:
    return transition(opened(), Action.ACKNOWLEDGE, "tam", ny(2026, 11, 26))


@pytest.mark.parametrize(
    ("make", "action", "who", "at", "message"),
    [
        (_resolved, Action.ACKNOWLEDGE, "tam", ny(2026, 11, 27),
         "is resolved: cannot acknowledge"),
        (_acked, Action.ACKNOWLEDGE, "tam", ny(2026, 11, 27),
         "is acknowledged: cannot acknowledge"),
        (opened, Action.OPEN, "tam", ny(2026, 11, 27), "opened by slamon"),
        (opened, "close", "tam", ny(2026, 11, 27), "unknown case action 'close'"),
        (opened, Action.ACKNOWLEDGE, " ", ny(2026, 11, 27), "say who did it"),
        (opened, Action.ACKNOWLEDGE, "tam", datetime(2026, 11, 27), "timezone-aware"),
        (opened, Action.ACKNOWLEDGE, "tam", ny(2026, 11, 24), "before the last entry"),
    ],
    ids=[
        "nothing happens to a resolved case",
        "a case is acknowledged once",
        "opening is not a transition",
        "an unknown action is named",
        "an anonymous action is refused",
        "a naive time is refused",
        "an action dated before the case's last entry is refused",
    ],
)
def test_illegal_transitions_are_refused(make: object, action: str, who: str,
                                         at: datetime, message: str) -> None:
    case = make()  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        transition(case, action, who, at)


def test_the_repository_refuses_a_change_based_on_a_stale_version() -> None:
    repo = InMemoryCaseRepository([opened()])
    first = transition(opened(), Action.ACKNOWLEDGE, "tam", ny(2026, 11, 26))
    second = transition(opened(), Action.RESOLVE, "vm", ny(2026, 11, 26))
    repo.save([first])
    with pytest.raises(StaleCaseError, match="stored version 2"):
        repo.save([second])
    assert repo.get(first.id) == first


def test_a_failed_save_writes_none_of_the_batch() -> None:
    other = replace(opened(), sla_id="asa")
    repo = InMemoryCaseRepository([opened()])
    stale = opened().bumped().bumped()
    with pytest.raises(StaleCaseError):
        repo.save([other, stale])
    assert repo.get(other.id) is None


# --- sweep -----------------------------------------------------------------------------

def test_a_sweep_before_any_deadline_produces_nothing() -> None:
    result = sweep([opened()], CONTRACT, ny(2026, 11, 27, 23, 59))
    assert (result.cases, result.events) == ((), ())


def test_a_sweep_warns_once_about_a_missing_acknowledgement() -> None:
    first = sweep([opened()], CONTRACT, ny(2026, 11, 28))
    (case,) = first.cases
    assert [(e.kind, e.key, e.at) for e in first.events] == [
        (EventKind.ACKNOWLEDGE_OVERDUE,
         "acme/service-level-voice/2026-11:case_acknowledge_overdue", ny(2026, 11, 28))]
    again = sweep([case], CONTRACT, ny(2026, 11, 29))
    assert (again.cases, again.events) == ((), ())


def test_a_late_sweep_escalates_at_the_deadline_not_at_the_sweep_time() -> None:
    result = sweep([opened()], CONTRACT, ny(2026, 12, 20, 15))
    (case,) = result.cases
    assert case.state is CaseState.ESCALATED
    assert case.history[-1].at == ny(2026, 12, 11)
    assert case.history[-1].who == "slamon"
    assert [e.kind for e in result.events] == [
        EventKind.ACKNOWLEDGE_OVERDUE, EventKind.RCA_OVERDUE, EventKind.ESCALATED]


def test_a_resolved_case_is_never_swept() -> None:
    assert sweep([_resolved()], CONTRACT, ny(2027, 1, 1)).events == ()


# --- a simulated quarter ---------------------------------------------------------------

QUARTER_FINALS = (
    evaluation("2026-10", ny(2026, 11, 3, 6), "final",
               result("service-level-voice", Status.MET, "0.83")),
    evaluation("2026-11", ny(2026, 12, 3, 6), "final",
               result("service-level-voice", Status.BREACHED, "0.71")),
    evaluation("2026-12", ny(2027, 1, 5, 6), "final",
               result("service-level-voice", Status.MET, "0.81")),
)


def drive_quarter(repo: CaseRepository, log: SentLog) -> list[tuple[str, datetime, datetime]]:
    """Q4 2026 as the scheduler sees it (see the test below); returns (kind, event time,
    sent at) of every notice sent. `tests/test_cases_report.py` reports on the result."""
    sent: list[tuple[str, datetime, datetime]] = []
    oct_final, nov_final, dec_final = QUARTER_FINALS
    schedule = {ny(2026, 11, 3, 6): oct_final, ny(2026, 11, 25, 10): BREACH_NOV,
                ny(2026, 12, 3, 6): nov_final, ny(2027, 1, 5, 6): dec_final}
    acked = False
    now = datetime(2026, 10, 1, tzinfo=UTC)
    while now <= datetime(2027, 1, 6, tzinfo=UTC):
        if not acked and now >= ny(2026, 11, 30, 9):
            act(repo, "acme/service-level-voice/2026-11", Action.ACKNOWLEDGE,
                "tam@vendor.example", ny(2026, 11, 30, 9), "we are on it")
            acked = True
        due = [ev for at, ev in schedule.items() if at <= now]
        for _ in range(2):
            for event in tick(CONTRACT, repo, log, lambda e: None, now, due):
                sent.append((event.kind.value, event.at, now))
        now += timedelta(hours=6)
    return sent


def test_a_quarter_with_a_late_ack_and_no_rca_escalates_on_the_right_day_once() -> None:
    """Q4 2026, New York, business days, US holidays. October is met; on Wednesday
    25 November (the day before Thanksgiving) the November service level can no longer
    recover; the vendor acknowledges on Monday 30 November at 09:00 (due by the end of
    Friday 27th) and never sends the RCA (due by the end of Thursday 3 December). The
    tenth business day after the opening is Thursday 10 December, so the case escalates at
    00:00 EST on 11 December = 05:00 UTC. The scheduler runs every 6 hours, twice each
    time; every notice goes out once."""
    repo, log = InMemoryCaseRepository(), InMemorySentLog()
    sent = drive_quarter(repo, log)

    (case,) = repo.list()
    assert case.state is CaseState.ESCALATED
    assert [(e.action, e.at, e.who) for e in case.timeline] == [
        ("open", ny(2026, 11, 25, 10), "slamon"),
        ("acknowledge", ny(2026, 11, 30, 9), "tam@vendor.example"),
        ("escalate", datetime(2026, 12, 11, 5, tzinfo=UTC), "slamon"),
    ]
    assert sent == [
        ("case_opened", ny(2026, 11, 25, 10), datetime(2026, 11, 25, 18, tzinfo=UTC)),
        ("case_acknowledge_overdue", ny(2026, 11, 28), datetime(2026, 11, 28, 6, tzinfo=UTC)),
        ("case_acknowledged", ny(2026, 11, 30, 9), datetime(2026, 11, 30, 18, tzinfo=UTC)),
        ("case_rca_overdue", ny(2026, 12, 4), datetime(2026, 12, 4, 6, tzinfo=UTC)),
        ("case_escalated", ny(2026, 12, 11), datetime(2026, 12, 11, 6, tzinfo=UTC)),
    ]


def test_a_case_reads_like_a_report_case_reference() -> None:
    case = transition(opened(), Action.ACKNOWLEDGE, "tam", ny(2026, 11, 30, 9), "late")
    assert (case.case_id, case.sla_id, case.period, str(case.state)) == (
        "acme/service-level-voice/2026-11", "service-level-voice", "2026-11", "acknowledged")
    assert case.summary == ("72.50% against target at least 80.00% (breached); "
                            "acknowledge by tam 2026-11-30T09:00:00-05:00 (late)")


# --- every shipped contract -------------------------------------------------------------

@pytest.mark.parametrize(
    ("file", "due"),
    [
        ("acme-connect-2026.yaml", ((2026, 12, 24, 10), (2026, 12, 28, 10), (2027, 1, 2, 10))),
        ("globex-genesys-2026.yaml", ((2026, 12, 23, 14), (2027, 1, 2, 10), (2027, 1, 7, 10))),
        ("umbrella-bpo-2026.yaml", ((2026, 12, 30, 0), (2027, 1, 5, 0), (2027, 1, 10, 0))),
    ],
    ids=[
        "acme: elapsed days in New York",
        "globex: 4 hours to acknowledge, elapsed days in Berlin",
        "umbrella: London business days skip 24 Dec (closed), Christmas, Boxing Day, its "
        "observed Monday, Sundays and New Year's Day; Saturdays count",
    ],
)
def test_shipped_contracts_give_their_deadlines_for_a_case_opened_before_christmas(
        file: str, due: tuple[tuple[int, ...], ...]) -> None:
    from monitor.spec import load_contract
    from tests.conftest import CONTRACTS

    contract = load_contract(CONTRACTS / file)
    case = replace(opened(), contract_id=contract.id,
                   opened_at=datetime(2026, 12, 23, 10, tzinfo=contract.tz))
    dl = due_dates(case, contract)
    expected = [datetime(*d, tzinfo=contract.tz) for d in due]  # type: ignore[misc, arg-type]
    assert [dl.acknowledge_by, dl.rca_by, dl.escalate_at] == expected


def test_a_contract_without_a_performance_issue_section_has_no_deadlines() -> None:
    from monitor.spec import load_contract
    from tests.conftest import CONTRACTS

    contract = load_contract(CONTRACTS / "initech-twilio-flex-2026.yaml")
    with pytest.raises(InputError, match="has no performance_issue section"):
        due_dates(opened(), contract)
