"""Performance cases: the list, one case with its timeline, and the people's actions
(acknowledge, RCA received, resolve, escalate) through `monitor.cases.service.act`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.cases.deadlines import due_dates
from monitor.cases.model import Action, Case, CaseState
from monitor.cases.repository import StaleCaseError
from monitor.cases.service import act
from monitor.cases.workflow import LEGAL, overdue
from monitor.console import fmt
from monitor.console.audit import audit
from monitor.console.auth import checked_form, console_of, require
from monitor.console.permissions import Permission
from monitor.console.web import page, see_other
from monitor.domain.contract import Contract
from monitor.errors import InputError
from monitor.storage.cases_repository import StoreCaseRepository

ACTIONS: dict[Action, str] = {
    Action.ACKNOWLEDGE: "Vendor acknowledged",
    Action.RECEIVE_RCA: "RCA received",
    Action.RESOLVE: "Resolve",
    Action.ESCALATE: "Escalate",
}
NOTE_LIMIT = 2000


def _summary(case: Case, contract: Contract | None, now: datetime) -> dict[str, Any]:
    tz = fmt.zone(contract)
    row: dict[str, Any] = {"case": case, "opened": fmt.when(case.opened_at, tz),
                           "last": fmt.when(case.history[-1].at, tz), "overdue": [],
                           "deadlines": None, "evidence": case.evidence.describe()}
    if contract is not None and contract.performance_issue is not None:
        deadlines = due_dates(case, contract)
        row["deadlines"] = {"acknowledge": fmt.when(deadlines.acknowledge_by, tz),
                            "rca": fmt.when(deadlines.rca_by, tz),
                            "escalate": fmt.when(deadlines.escalate_at, tz)}
        row["overdue"] = [k.value.replace("_", " ") for k in overdue(case, deadlines, now)]
    return row


async def cases(request: Request) -> Response:
    require(request, Permission.READ)
    console = console_of(request)
    wanted = request.query_params.get("state", "active")
    if wanted == "active":
        states: list[CaseState] | None = [s for s in CaseState if s is not CaseState.RESOLVED]
    elif wanted == "all":
        states = None
    elif wanted in {s.value for s in CaseState}:
        states = [CaseState(wanted)]
    else:
        raise HTTPException(404, "No such case state.")
    now = console.now()
    found = StoreCaseRepository(console.store).list(None, states)
    rows = [_summary(c, console.contract(c.contract_id), now)
            for c in sorted(found, key=lambda c: c.opened_at, reverse=True)]
    return page(request, "cases.html", rows=rows, wanted=wanted,
                filters=["active", *[s.value for s in CaseState], "all"])


async def case_page(request: Request) -> Response:
    require(request, Permission.READ)
    console = console_of(request)
    case = StoreCaseRepository(console.store).get(request.path_params["case_id"])
    if case is None:
        raise HTTPException(404, "No such case.")
    contract = console.contract(case.contract_id)
    tz = fmt.zone(contract)
    possible = [(a.value, label) for a, label in ACTIONS.items()
                if case.state in LEGAL[a]
                and not (a in (Action.ACKNOWLEDGE, Action.RECEIVE_RCA) and case.when(a))]
    return page(request, "case.html", row=_summary(case, contract, console.now()),
                case=case, contract=contract, actions=possible,
                timeline=[{"at": fmt.when(e.at, tz), "action": e.action,
                           "from": e.from_state.value if e.from_state else "",
                           "to": e.to_state.value, "who": e.who, "note": e.note}
                          for e in case.history],
                chronic=[c.describe() for c in case.chronic])


async def case_action(request: Request) -> Response:
    who, form = await checked_form(request, Permission.CASES)
    assert who is not None
    console = console_of(request)
    case_id = str(form.get("case_id", ""))
    action = str(form.get("action", ""))
    note = str(form.get("note", "")).strip()[:NOTE_LIMIT]
    repo = StoreCaseRepository(console.store)
    try:
        changed = act(repo, case_id, action, who.username, console.now(), note)
    except InputError as exc:
        audit(request, f"case.{action}"[:60], case_id, str(exc), outcome="failed")
        raise HTTPException(409, str(exc)) from None
    except StaleCaseError as exc:
        audit(request, f"case.{action}"[:60], case_id, str(exc), outcome="failed")
        raise HTTPException(409, "Someone changed this case meanwhile; reload and try "
                                 "again.") from None
    audit(request, f"case.{action}", case_id,
          f"{changed.history[-1].from_state} -> {changed.state.value}"
          + (f"; note: {note}" if note else ""))
    return see_other(f"/cases/{changed.id}")


ROUTES = [
    Route("/cases", cases),
    Route("/cases/act", case_action, methods=["POST"]),
    Route("/cases/{case_id:path}", case_page),
]
