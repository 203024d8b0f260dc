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
Provisional periods that owe a credit count too (`prospective_claims`): `slamon run` makes
a period final only when its window has passed, so without them a period nobody closes
by hand would never be announced before its deadline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from monitor.alerting.notifiers import (
    NOTIFIERS,
    NotificationEvent,
    Notifier,
    RetryPolicy,
    SentLog,
    dispatch,
)
from monitor.domain import claims as dc
from monitor.domain.claims import Claim, ClaimState, due_for_notice
from monitor.domain.contract import Contract
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository

log = logging.getLogger("slamon.claims")
SUBSCRIPTION = "claims"  # the word a contract notifier's `on:` lists to receive notices
DEADLINE_NOTICE = "claim_deadline"


def window_end(contract: Contract, period_end: datetime) -> date:
    return dc.window_end(period_end, contract.tz, contract.claim_deadline_days)


def prospective_claims(store: Store, contract: Contract, at: datetime) -> list[Claim]:
    """The claims that provisional periods owing a credit will have, as unsaved drafts:
    their window is already running although nobody has closed the period yet."""
    return [dc.draft(contract.id, contract.vendor, u.period, contract.currency, u.owed,
                     window_end(contract, u.period_end), by="slamon", at=at)
            for u in ClaimRepository(store).unclaimed(contract.id)]


def draft_claims(store: Store, contract: Contract, at: datetime) -> list[Claim]:
    """Draft the missing claims of the contract's final periods; returns the new ones."""
    repo = ClaimRepository(store)
    have = {c.period_label for c in repo.list(contract_id=contract.id, events=False)}
    drafted = []
    for final in repo.owing("final", contract.id):
        if final.period in have:
            continue
        claim = repo.draft_for_period(contract, final.period, final.owed,
                                      window_end(contract, final.period_end), at)
        if claim.events[0].at == at:
            drafted.append(claim)
            log.info("event=claim_drafted claim=%s owed=%s currency=%s deadline=%s",
                     claim.id, claim.owed, claim.currency, claim.deadline)
    return drafted


def claim_notifiers(contract: Contract, environ: Mapping[str, str]) -> list[Notifier]:
    return [NOTIFIERS[spec.kind](spec, environ, contract)
            for spec in contract.notifications if SUBSCRIPTION in spec.on]


def deadline_event(claim: Claim, today_: datetime, stored: bool = True) -> NotificationEvent:
    """The notice for a draft (`stored`) or for a provisional period's credit. Both share
    the dedup key (contract, "claim", period), so closing the period later sends no
    second notice."""
    left = claim.days_left(today_.date())
    when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
    if stored:
        act = f"Record it with `slamon claims submit {claim.id} --reference REF --by WHO`."
    else:
        act = (f"The period is not final yet: close it (`slamon close --contract "
               f"{claim.contract_id} --period {claim.period_label} --by WHO`) to draft the "
               "claim, then submit it.")
    return NotificationEvent(
        kind=DEADLINE_NOTICE, vendor=claim.vendor, contract=claim.contract_id, sla="claim",
        period=claim.period_label, at=today_,
        summary=(f"Claim {claim.id}: {claim.owed} {claim.currency} owed by {claim.vendor} "
                 f"for {claim.period_label} must be submitted by {claim.deadline} "
                 f"(window closes {when}). {act}"))


def send_deadline_notices(contract: Contract, claims: list[Claim], now: datetime,
                          sent: SentLog, environ: Mapping[str, str],
                          policy: RetryPolicy | None = None,
                          unsaved: frozenset[str] = frozenset()) -> list[str]:
    """Notices for the contract's drafts due soon (`unsaved`: ids of prospective claims);
    returns "<claim> <channel> <status>"."""
    local = now.astimezone(contract.tz)
    due = due_for_notice([c for c in claims if c.contract_id == contract.id],
                         local.date(), contract.claim_notice_days)
    if not due:
        return []
    notifiers = claim_notifiers(contract, environ)
    out = []
    for claim in due:
        event = deadline_event(claim, local, stored=claim.id not in unsaved)
        for result in dispatch(event, notifiers, sent, policy):
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
        now = self.clock()
        drafts = ClaimRepository(self.store).list(contract_id=contract.id,
                                                  state=ClaimState.DRAFT)
        coming = prospective_claims(self.store, contract, now)
        for line in send_deadline_notices(contract, drafts + coming, now, self.sent,
                                          self.environ, self.policy,
                                          frozenset(c.id for c in coming)):
            log.info("event=claim_notice %s", line)
