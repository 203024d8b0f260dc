"""Report downloads: the procurement report of a closed period (provisional or final) as
PDF or XLSX, rendered by `monitor.reports` from the store exactly as `slamon report --db`
does. Only ended periods are offered: an open month's report would be a forecast."""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.console import fmt, readmodel
from monitor.console.audit import audit
from monitor.console.auth import console_of, require
from monitor.console.permissions import Permission
from monitor.console.state import Console
from monitor.console.web import page
from monitor.domain.contract import Contract
from monitor.sources import StoreSource
from monitor.storage.cases_repository import StoreCaseRepository

DOWNLOADS: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CLOSED = ("provisional", "final")


async def reports(request: Request) -> Response:
    require(request, Permission.REPORTS)
    console = console_of(request)
    rows = []
    for contract in sorted(console.contracts.values(), key=lambda c: (c.vendor, c.name)):
        periods = [p for p in readmodel.history(console.store, contract.id)
                   if p.status in CLOSED]
        rows.append({"contract": contract,
                     "periods": [{"label": p.label, "status": p.status,
                                  "end": fmt.when(p.end, contract.tz),
                                  "credit": fmt.money(p.credit(), contract.currency, True)}
                                 for p in reversed(periods)]})
    return page(request, "reports.html", rows=rows, formats=list(DOWNLOADS))


def render_report(console: Console, contract: Contract, label: str, kind: str) -> bytes:
    from monitor.reports.gather import gather
    from monitor.reports.render import render

    now = console.now()
    cases = StoreCaseRepository(console.store).list(contract.id)
    data = gather(contract, label, StoreSource(console.store), now, generated_at=now,
                  cases=cases)
    return render(data, kind)


async def download(request: Request) -> Response:
    require(request, Permission.REPORTS)
    console = console_of(request)
    contract = console.contract(request.path_params["contract_id"])
    label, kind = request.path_params["period"], request.path_params["fmt"]
    if contract is None or kind not in DOWNLOADS:
        raise HTTPException(404, "No such report.")
    if console.store.period_status(contract.id, label) not in CLOSED:
        raise HTTPException(404, "Reports are offered for ended periods only.")
    body = await run_in_threadpool(render_report, console, contract, label, kind)
    audit(request, "report.download", f"{contract.id}/{label}.{kind}", f"{len(body)} bytes")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{contract.id}-{label}.{kind}")
    return Response(body, media_type=DOWNLOADS[kind],
                    headers={"content-disposition": f'attachment; filename="{name}"'})


ROUTES = [
    Route("/reports", reports),
    Route("/reports/{contract_id}/{period}.{fmt}", download),
]
