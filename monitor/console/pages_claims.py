"""Claims board (by state, with deadlines), claim detail with its timeline and the
transitions of the claim lifecycle (`monitor.domain.claims`), and the ledger per vendor
and year. Claims are drafted when a period owing a credit becomes final (closing it here
does that too, as `slamon close` does)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.console import fmt
from monitor.console.audit import audit
from monitor.console.auth import checked_form, console_of, require
from monitor.console.claims_view import actions, card, event_fields
from monitor.console.permissions import Permission
from monitor.console.web import page, see_other
from monitor.domain.claims import FIELDS, ClaimAction, ClaimState
from monitor.errors import ClaimError
from monitor.storage.claims_repository import ClaimRepository

TEXT_LIMIT = 2000


async def board(request: Request) -> Response:
    who = require(request, Permission.READ)
    console = console_of(request)
    money = who.can(Permission.SEE_MONEY)
    vendor = request.query_params.get("vendor") or None
    year = request.query_params.get("year", "")
    claims = ClaimRepository(console.store).list(
        vendor=vendor, year=int(year) if year.isdigit() else None)
    now = console.now()
    columns = [{"state": s.value,
                "cards": [card(c, console.contracts, now, money) for c in claims
                          if c.state is s]} for s in ClaimState]
    return page(request, "claims.html", columns=columns, money=money, vendor=vendor or "",
                year=year, vendors=sorted({c.vendor for c in console.contracts.values()}))


async def claim_page(request: Request) -> Response:
    who = require(request, Permission.READ)
    console = console_of(request)
    money = who.can(Permission.SEE_MONEY)
    claim = ClaimRepository(console.store).get(request.path_params["claim_id"])
    if claim is None:
        raise HTTPException(404, "No such claim.")
    contract = console.contract(claim.contract_id)
    tz = fmt.zone(contract)
    return page(
        request, "claim.html", c=card(claim, console.contracts, console.now(), money),
        claim=claim, contract=contract, money=money, actions=actions(claim),
        accepted=fmt.money(claim.accepted_amount, claim.currency, money),
        credited=fmt.money(claim.credited_amount, claim.currency, money),
        written_off=fmt.money(claim.written_off, claim.currency, money),
        events=[{"at": fmt.when(e.at, tz), "by": e.by, "action": e.action.value,
                 "from": e.from_state.value if e.from_state else "", "to": e.to_state.value,
                 "note": e.note, "fields": event_fields(e.fields, money)}
                for e in claim.events])


async def claim_action(request: Request) -> Response:
    who, form = await checked_form(request, Permission.CLAIMS)
    assert who is not None
    console = console_of(request)
    claim_id = str(form.get("claim_id", ""))
    name = str(form.get("action", ""))
    try:
        action = ClaimAction(name)
        required, optional = FIELDS[action]
    except (ValueError, KeyError):
        raise HTTPException(400, f"Unknown claim action {name!r}.") from None
    fields = {k: str(form.get(k, "")).strip()[:TEXT_LIMIT] for k in (*required, *optional)}
    note = str(form.get("note", "")).strip()[:TEXT_LIMIT]
    try:
        claim = ClaimRepository(console.store).apply(
            claim_id, action, by=who.username, at=console.now(), note=note,
            **{k: v for k, v in fields.items() if v})
    except ClaimError as exc:
        audit(request, f"claim.{action.value}", claim_id, str(exc), outcome="failed")
        raise HTTPException(409, str(exc)) from None
    last = claim.events[-1]
    audit(request, f"claim.{action.value}", claim_id,
          f"{last.from_state} -> {last.to_state}"
          + "".join(f"; {k}: {v}" for k, v in last.fields.items())
          + (f"; note: {note}" if note else ""))
    return see_other(f"/claims/{claim.id}")


async def ledger(request: Request) -> Response:
    require(request, Permission.SEE_MONEY)
    console = console_of(request)
    now = console.now()
    year = request.query_params.get("year", "")
    chosen = int(year) if year.isdigit() else None
    repo = ClaimRepository(console.store)
    years = sorted({c.year for c in repo.list()}, reverse=True)
    rows = repo.ledgers(chosen, now.date())
    columns = ("owed", "claimed", "accepted", "credited", "written_off", "outstanding")
    return page(request, "ledger.html", year=year, years=years,
                columns=[c.replace("_", " ") for c in columns],
                rows=[{"row": r, "figures": [fmt.money(getattr(r, c), r.currency, True)
                                             for c in columns]} for r in rows])


ROUTES = [
    Route("/claims", board),
    Route("/claims/act", claim_action, methods=["POST"]),
    Route("/claims/{claim_id:path}", claim_page),
    Route("/ledger", ledger),
]
