"""The claim-window alert: a credit not claimed yet (a draft claim, or a provisional period
owing a credit) whose window closes within the contract's lead time
(`claims.notice_days_before_deadline`, default 7 days) and has not closed yet.

`slamon_claims_deadline_timestamp_seconds` exists only for such credits, so submitting the
claim (`slamon claims submit`) resolves the alert. Once the window has closed the claim is
overdue instead (`slamon_claims_overdue`, flagged in the CLI and the report). A lead time of
0 days can never fire: there is no "within 0 days" before a deadline.
"""

from __future__ import annotations

from dataclasses import replace

from monitor import conventions as C
from monitor.alerting.model import Alert, Case, Links, selector
from monitor.domain.contract import Contract

DAY = 86_400


def claim_expiring(contract: Contract, links: Links) -> Alert:
    lead = contract.claim_notice_days * DAY
    ids = {C.L_CONTRACT: contract.id}
    left = f"({selector(C.CLAIMS_DEADLINE, **ids)} - time())"
    labels = {C.L_SEVERITY: C.SEVERITY_TICKET, C.L_TEAM: C.TEAM_VENDOR_MANAGEMENT,
              C.L_VENDOR: contract.vendor, C.L_CONTRACT: contract.id}
    alert = Alert(
        C.ALERT_CLAIM_EXPIRING, f"{left} < {lead}\nand\n{left} > 0", labels,
        {"summary": f"{contract.vendor} / {contract.id}: a claim window (label period) "
                    f"closes within {contract.claim_notice_days} days and the credit is not "
                    "claimed yet",
         "runbook_url": links.runbook(C.ALERT_CLAIM_EXPIRING),
         "dashboard_url": links.dashboard(C.DASH_PENALTIES, "penalties",
                                          vendor=contract.vendor, contract=contract.id)})
    series = {C.L_VENDOR: contract.vendor, C.L_CONTRACT: contract.id, C.L_PERIOD: "2026-10"}
    expected = (dict(sorted({**labels, C.L_PERIOD: "2026-10"}.items())),)
    # The window closes 10 minutes after the lead time starts: at minute 9 the deadline is
    # a minute further away than the lead time, at minute 11 a minute inside it.
    soon = {selector(C.CLAIMS_DEADLINE, **series): f"{lead + 600}x15"}
    passed = {selector(C.CLAIMS_DEADLINE, **series): "0x15"}
    return replace(alert, cases=(
        Case("a window closing just beyond the lead time does not fire", soon, 9,
             C.ALERT_CLAIM_EXPIRING, ()),
        Case("a window closing just within the lead time fires", soon, 11,
             C.ALERT_CLAIM_EXPIRING, expected if lead else ()),
        Case("a window already closed is overdue, not expiring", passed, 5,
             C.ALERT_CLAIM_EXPIRING, ()),
    ))
