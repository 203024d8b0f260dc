"""Claims in the running service: drafting when a period becomes final, deadline notices.

`draft_claims(store, contract, at)` drafts a claim for every final period of the contract
that owes a credit and has none yet: owed = the period's stored credit total, deadline =
the period's last day (in the contract's zone) plus `claims.deadline_days_after_period`.
It sweeps every final period rather than only the one just closed, so a process that died
between closing a period and drafting its claim drafts it on the next pass; the store's
insert-if-absent makes the sweep idempotent across passes and processes. `slamon close`
and `slamon run` (`pipeline.finalize_due`) call it.

`ClaimNotices` is an `on_evaluated` hook of `slamon run`: for each draft claim whose window
closes within the contract's `claims.notice_days_before_deadline` (default 7) it sends one
`claim_deadline` notice to the contract notifiers whose `on:` lists `claims`. The notifiers'
sent-log keys it by (contract/claim/period, kind, channel), so each channel hears it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from monitor.alerting.notifiers import (
    NOTIFIERS,
    NotificationEvent,
    Notifier,
    RetryPolicy,
    SentLog,
    dispatch,
)
from monitor.domain.claims import Claim, ClaimState, claim_deadline, due_for_notice
from monitor.domain.contract import Contract
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository

log = logging.getLogger("slamon.claims")
SUBSCRIPTION = "claims"  # the word a contract notifier's `on:` lists to receive notices
DEADLINE_NOTICE = "claim_deadline"


def draft_claims(store: Store, contract: Contract, at: datetime) -> list[Claim]:
    """Draft the missing claims of the contract's final periods; returns the new ones."""
    repo = ClaimRepository(store)
    have = {c.period_label for c in repo.list(contract_id=contract.id)}
    finals: dict[str, datetime] = {}
    for row in store.results_history(contract.id):
        if row.period_status == "final" and row.period not in have:
            finals[row.period] = row.period_end
    drafted = []
    for label, end in sorted(finals.items()):
        owed = sum((line.amount for line in store.credit_lines(contract.id, label)),
                   Decimal(0))
        if owed <= 0:
            continue
        last_day = (end.astimezone(contract.tz) - timedelta(microseconds=1)).date()
        claim = repo.draft_for_period(
            contract, label, owed, claim_deadline(last_day, contract.claim_deadline_days), at)
        if claim.events[0].at == at:
            drafted.append(claim)
            log.info("event=claim_drafted claim=%s owed=%s currency=%s deadline=%s",
                     claim.id, claim.owed, claim.currency, claim.deadline)
    return drafted


def claim_notifiers(contract: Contract, environ: Mapping[str, str]) -> list[Notifier]:
    return [NOTIFIERS[spec.kind](spec, environ, contract)
            for spec in contract.notifications if SUBSCRIPTION in spec.on]


def deadline_event(claim: Claim, today_: datetime) -> NotificationEvent:
    left = claim.days_left(today_.date())
    when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
    return NotificationEvent(
        kind=DEADLINE_NOTICE, vendor=claim.vendor, contract=claim.contract_id, sla="claim",
        period=claim.period_label, at=today_,
        summary=(f"Claim {claim.id}: {claim.owed} {claim.currency} owed by {claim.vendor} "
                 f"for {claim.period_label} must be submitted by {claim.deadline} "
                 f"(window closes {when}). Record it with `slamon claims submit {claim.id} "
                 "--reference REF --by WHO`."))


def send_deadline_notices(contract: Contract, claims: list[Claim], now: datetime,
                          sent: SentLog, environ: Mapping[str, str],
                          policy: RetryPolicy | None = None) -> list[str]:
    """Notices for the contract's drafts due soon; returns "<claim> <channel> <status>"."""
    local = now.astimezone(contract.tz)
    due = due_for_notice([c for c in claims if c.contract_id == contract.id],
                         local.date(), contract.claim_notice_days)
    if not due:
        return []
    notifiers = claim_notifiers(contract, environ)
    out = []
    for claim in due:
        for result in dispatch(deadline_event(claim, local), notifiers, sent, policy):
            out.append(f"{claim.id} {result.channel} {result.status}")
    return out


@dataclass
class ClaimNotices:
    """The `on_evaluated` hook of `slamon run` (see the module docstring)."""

    store: Store
    sent: SentLog
    environ: Mapping[str, str]
    clock: Callable[[], datetime]
    policy: RetryPolicy | None = None

    def __call__(self, contract: Contract, outcome: Any) -> None:
        if not any(SUBSCRIPTION in spec.on for spec in contract.notifications):
            return
        drafts = ClaimRepository(self.store).list(contract_id=contract.id,
                                                  state=ClaimState.DRAFT)
        for line in send_deadline_notices(contract, drafts, self.clock(), self.sent,
                                          self.environ, self.policy):
            log.info("event=claim_notice %s", line)
