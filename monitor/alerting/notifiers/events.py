"""Which notifications an evaluation calls for.

A breach: an SLA whose period ended breached, or whose breach is already certain
(`monitor.domain.outlook`); an open period that can still be met sends nothing. A
recovery: an SLA back to `met` in a period for which a breach was already sent. The
sent-log makes both happen once per channel (dispatch skips what was sent), so this can
run after every evaluation.
"""

from __future__ import annotations

from monitor import conventions as C
from monitor.alerting.model import Links
from monitor.alerting.notifiers.base import BREACH, RECOVERY, NotificationEvent
from monitor.alerting.notifiers.sentlog import SentLog
from monitor.domain.contract import Contract
from monitor.domain.outlook import MISSES, Standing, outlook_of
from monitor.domain.results import Evaluation


def events_for(contract: Contract, evaluation: Evaluation, sent: SentLog,
               links: Links | None = None) -> list[NotificationEvent]:
    links = links or Links()
    breached_before = {r.dedup_key for r in sent.entries()
                       if r.kind == BREACH and r.status == "sent"}
    out = []
    for result in evaluation.results:
        standing = outlook_of(result).standing
        if standing in MISSES:  # ended breached, or certain: never a month still repairable
            kind = BREACH
        elif standing in (Standing.MET, Standing.ON_TRACK):
            kind = RECOVERY
        else:
            continue
        value = None if result.value is None else float(result.value)
        target = float(result.target.value)
        event = NotificationEvent(
            kind=kind, vendor=contract.vendor, contract=contract.id, sla=result.sla_id,
            period=evaluation.period.label, at=evaluation.as_of,
            summary=(f"{contract.vendor} / {contract.id} / {result.sla_id} "
                     f"{'is breached' if kind == BREACH else 'is back within target'} in "
                     f"{evaluation.period.label}: {value if value is not None else 'no data'} "
                     f"against {target:g} ({result.target.direction})"),
            value=value, target=target,
            dashboard_url=links.dashboard(C.DASH_SLA, "sla-detail", vendor=contract.vendor,
                                          contract=contract.id, sla=result.sla_id),
            runbook_url=links.runbook(C.ALERT_BREACH_CERTAIN),
        )
        if kind == RECOVERY and event.dedup_key not in breached_before:
            continue
        out.append(event)
    return out
