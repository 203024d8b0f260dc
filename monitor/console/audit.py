"""Writing the audit log: who (or "-" when nobody is signed in), when, what, from where."""

from __future__ import annotations

from starlette.requests import Request

from monitor.console.auth import client_address, console_of, principal
from monitor.storage.console_repository import AuditEntry


def audit(request: Request, action: str, target: str = "", detail: str = "", *,
          outcome: str = "ok", who: str | None = None) -> None:
    console = console_of(request)
    if who is None:
        p = principal(request)
        who = p.username if p else "-"
    console.audit_log.record(AuditEntry(
        at=console.now(), who=who, action=action, target=target, outcome=outcome,
        detail=detail, address=client_address(request)))
