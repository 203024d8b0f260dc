"""Vendors, a contract's periods, and the SLA detail page; closing a period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.console import fmt, readmodel
from monitor.console.audit import audit
from monitor.console.auth import checked_form, console_of, require
from monitor.console.chart import Point, trend
from monitor.console.claims_view import outstanding_by_vendor
from monitor.console.permissions import Permission
from monitor.console.states import sla_state
from monitor.console.web import page, see_other
from monitor.domain.close import close_period
from monitor.domain.contract import Contract
from monitor.domain.reconcile import EVIDENCE_DETAILS
from monitor.errors import InputError
from monitor.reports.units import is_seconds
from monitor.service.claims import draft_claims
from monitor.storage import StoredResult
from monitor.storage.claims_repository import ClaimRepository

TREND_PERIODS = 12


def _contract(request: Request) -> Contract:
    contract = console_of(request).contract(request.path_params["contract_id"])
    if contract is None:
        raise HTTPException(404, "No such contract.")
    return contract


def _sla_row(r: StoredResult, contract: Contract, money: bool, now: Any) -> dict[str, Any]:
    try:
        description = contract.sla(r.sla_id).description
    except KeyError:  # a result of an SLA since removed from the contract
        description = ""
    return {"sla_id": r.sla_id, "description": description, "metric": r.metric,
            "value": fmt.value(r.metric, r.value),
            "target": fmt.target(r.metric, r.target, r.direction),
            "state": sla_state(r, contract, now),
            "credit": fmt.money(r.credit, contract.currency, money)}


async def vendors(request: Request) -> Response:
    who = require(request, Permission.READ)
    console = console_of(request)
    money = who.can(Permission.SEE_MONEY)
    now = console.now()
    current = readmodel.current_periods(console.store)
    cases = readmodel.count_by_contract(readmodel.open_cases(console.store))
    claims = outstanding_by_vendor(console.store, now)
    companies: dict[str, dict[str, Any]] = {}
    for contract in sorted(console.contracts.values(), key=lambda c: (c.vendor, c.name)):
        period = current.get(contract.id)
        company = companies.setdefault(contract.vendor, {
            "id": contract.vendor, "legal_name": contract.legal_name,
            "contacts": contract.party.contacts if contract.party else (), "contracts": []})
        company["contracts"].append({
            "contract": contract,
            "period": period,
            "slas": [_sla_row(r, contract, money, now) for r in period.results] if period
            else [],
            "credit": fmt.money(period.credit(), contract.currency, money) if period else None,
            "open_cases": cases.get(contract.id, 0),
        })
    vendor_claims = {v: {"count": n, "amount": fmt.money(amount, currency, money)}
                     for v, (n, amount, currency) in claims.items()}
    return page(request, "vendors.html", companies=list(companies.values()),
                claims=vendor_claims,
                money=money)


async def contract_page(request: Request) -> Response:
    who = require(request, Permission.READ)
    console = console_of(request)
    contract = _contract(request)
    money = who.can(Permission.SEE_MONEY)
    now = console.now()
    periods = readmodel.history(console.store, contract.id)
    wanted = request.query_params.get("period")
    selected = next((p for p in periods if p.label == wanted), periods[-1] if periods else None)
    if wanted and (selected is None or selected.label != wanted):
        raise HTTPException(404, "No stored results for that period.")
    tz = contract.tz
    rows = [_sla_row(r, contract, money, now) for r in selected.results] if selected else []
    restated = (console.store.restatements(contract.id, selected.label)
                if selected else [])
    return page(
        request, "contract.html", contract=contract, selected=selected, rows=rows,
        money=money,
        fee=fmt.money(contract.fees.get("monthly"), contract.currency, money),
        credit=fmt.money(selected.credit(), contract.currency, money) if selected else None,
        periods=[{"label": p.label, "status": p.status, "breached": p.breached(),
                  "credit": fmt.money(p.credit(), contract.currency, money),
                  "start": fmt.when(p.start, tz), "end": fmt.when(p.end, tz)}
                 for p in reversed(periods)],
        restatements=[{"sla_id": r.sla_id, "at": fmt.when(r.at, tz), "reason": r.reason or ""}
                      for r in restated],
        cases=[c for c in readmodel.open_cases(console.store, contract.id)],
        claim=ClaimRepository(console.store).get(f"{contract.id}/{selected.label}")
        if selected else None,
        when=lambda d: fmt.when(d, tz))


# Details shown elsewhere: the period in the heading, the standing in the state badge.
SHOWN_ELSEWHERE = frozenset({"period", "period_start", "period_end", "standing", "period_open",
                             "remaining_minutes", "remaining_days", "breach_certain", "needed",
                             "best_case"})


def evidence_rows(r: StoredResult) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the figure's evidence, its reconciliation with independent evidence when present)."""
    e = dict(r.evidence)
    rows = [(k.replace("_", " "), str(e[k])) for k in
            ("numerator", "denominator", "intervals", "measured_minutes", "excluded_minutes",
             "formula") if e.get(k) not in (None, "")]
    details = e.get("details") or {}
    rows += [(str(k).replace("_", " "), str(v)) for k, v in details.items()
             if k not in SHOWN_ELSEWHERE and k not in EVIDENCE_DETAILS]
    reconciled = [(k.replace("_", " "), str(details[k])) for k in EVIDENCE_DETAILS
                  if k in details]
    return rows, reconciled


async def sla_page(request: Request) -> Response:
    who = require(request, Permission.READ)
    console = console_of(request)
    contract = _contract(request)
    sla_id = request.path_params["sla_id"]
    money = who.can(Permission.SEE_MONEY)
    now = console.now()
    mine = [r for r in console.store.results_history(contract.id) if r.sla_id == sla_id]
    if not mine:
        raise HTTPException(404, "No stored results for that SLA.")
    wanted = request.query_params.get("period")
    index = next((i for i, r in enumerate(mine) if r.period == wanted), len(mine) - 1)
    if wanted and mine[index].period != wanted:
        raise HTTPException(404, "No stored result for that period.")
    r = mine[index]
    window = mine[max(0, index - TREND_PERIODS + 1): index + 1]
    chart = trend([Point(x.period, x.value, x.status == "met") for x in window], r.target,
                  lambda v: fmt.value(r.metric, v),
                  fmt.target(r.metric, r.target, r.direction),
                  ceiling=None if is_seconds(r.metric) else Decimal(1))
    try:
        sla = contract.sla(sla_id)
    except KeyError:
        sla = None
    lines = [line for line in console.store.credit_lines(contract.id, r.period)
             if line.sla_id == sla_id] if money else []
    exclusions = [x for x in contract.exclusions
                  if x.applies_to is None or sla_id in x.applies_to]
    tz = contract.tz
    evidence = evidence_rows(r)
    return page(
        request, "sla.html", contract=contract, sla=sla, sla_id=sla_id, r=r, money=money,
        state=sla_state(r, contract, now), value=fmt.value(r.metric, r.value),
        raw=fmt.value(r.metric, r.raw_value) if r.raw_value != r.value else None,
        target=fmt.target(r.metric, r.target, r.direction), evidence=evidence[0],
        reconciliation=evidence[1],
        applied=list(r.evidence.get("exclusions") or []), exclusions=exclusions,
        chart=chart, when=lambda d: fmt.when(d, tz),
        credit_lines=[{"amount": fmt.money(line.amount, line.currency, money),
                       "status": line.status, "tier": line.tier or "",
                       "explanation": line.explanation,
                       "origin": line.origin or ""} for line in lines],
        window=[{"period": x.period, "value": fmt.value(x.metric, x.value),
                 "state": sla_state(x, contract, now),
                 "credit": fmt.money(x.credit, contract.currency, money)}
                for x in reversed(window)],
        cases=[c for c in readmodel.open_cases(console.store, contract.id)
               if c.sla_id == sla_id])


async def close(request: Request) -> Response:
    who, form = await checked_form(request, Permission.CLOSE_PERIODS)
    assert who is not None
    console = console_of(request)
    contract = _contract(request)
    label = str(form.get("period", ""))
    periods = {p.label: p for p in readmodel.history(console.store, contract.id)}
    if label not in periods:
        raise HTTPException(404, "No stored results for that period.")
    try:
        closure = close_period(periods[label].end, who.username, console.now())
    except InputError as exc:
        raise HTTPException(409, str(exc)) from None
    changed = console.store.close_period(contract.id, label, closure.by, closure.at)
    drafted = draft_claims(console.store, contract, closure.at)  # as `slamon close` does
    audit(request, "period.close", f"{contract.id}/{label}",
          ("closed" if changed else "already final")
          + "".join(f"; claim {c.id} drafted" for c in drafted))
    return see_other(f"/contracts/{contract.id}?period={label}")


ROUTES = [
    Route("/vendors", vendors),
    Route("/contracts/{contract_id}", contract_page),
    Route("/contracts/{contract_id}/slas/{sla_id}", sla_page),
    Route("/contracts/{contract_id}/close", close, methods=["POST"]),
]
