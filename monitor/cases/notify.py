"""The edge between case events and the notifiers (`monitor.alerting.notifiers`).

Who hears about a case event:
- the contract's `performance_issue.contacts` (the vendor's and ours): an address with
  `@` gets an e-mail through the SMTP server in `SLAMON_SMTP_URL` (or the URL env of the
  contract's first e-mail notifier); an `http(s)://` contact gets a webhook POST;
- every contract notifier whose `on:` lists `cases` (a Slack channel, PagerDuty, ...).

Each `CaseEvent` becomes one `NotificationEvent` whose `kind` is the case event's kind
(`case_opened`, `case_escalated`, `vendor_statement`, ...). The notifiers' sent-log keys a
send by (contract/SLA/period, kind, channel), and a case has at most one event of each kind,
so each channel receives each case event once, on top of the case sent-log's own key.

A channel that cannot be reached (no SMTP server configured, a notifier's variable unset)
is not an error here: it becomes an `Undeliverable` notifier, so the notice is recorded as
failed with its reason, retried with backoff and listed by `slamon notifications --failed`
(see `monitor.alerting.notifiers.sentlog`), and logged once there.

This module only wires things together; the sending is the notifiers' `dispatch`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from monitor.alerting.notifiers import (
    NotificationEvent,
    Notifier,
    RetryPolicy,
    SentLog,
    Undeliverable,
    build,
    dispatch,
)
from monitor.alerting.notifiers.mail import EmailNotifier
from monitor.alerting.notifiers.webhook import WebhookNotifier
from monitor.domain.contract import Contract
from monitor.errors import TransientError

from .events import CaseEvent

SUBSCRIPTION = "cases"  # the word a contract notifier's `on:` lists to receive case events
SMTP_ENV = "SLAMON_SMTP_URL"


def to_notification(event: CaseEvent, vendor: str) -> NotificationEvent:
    """The notifiers' event for `event` (the body, evidence included, as its summary)."""
    case = event.case
    if case is not None:
        contract, sla, period = case.contract_id, case.sla_id, case.period
        value = None if case.evidence.value is None else float(case.evidence.value)
        target = None if case.evidence.target is None else float(case.evidence.target)
    else:  # a vendor statement: one per vendor and period, over its contracts
        contract, sla, value, target = event.contract_id or vendor, "performance", None, None
        period = event.key.rsplit("/", 1)[-1]
    return NotificationEvent(kind=event.kind.value, vendor=vendor, contract=contract, sla=sla,
                             period=period, at=event.at, summary=event.body or event.summary,
                             value=value, target=target)


def _smtp_url(contract: Contract, environ: Mapping[str, str]) -> str | None:
    if environ.get(SMTP_ENV):
        return environ[SMTP_ENV]
    for spec in contract.notifications:
        if spec.kind == "email" and spec.target_env and environ.get(spec.target_env):
            return environ[spec.target_env]
    return None


def case_notifiers(contract: Contract, to: tuple[str, ...],
                   environ: Mapping[str, str] | None = None) -> list[Notifier]:
    """Notifiers for a case event addressed to `to` (see the module docstring)."""
    env = os.environ if environ is None else environ
    out: list[Notifier] = []
    mail = tuple(a for a in to if "@" in a and "://" not in a)
    hooks = [a for a in to if a.startswith(("http://", "https://"))]
    if mail:
        url = _smtp_url(contract, env)
        if url is None:
            out.append(Undeliverable("email:" + ",".join(mail), f"e-mail needs an SMTP "
                                     f"server: {SMTP_ENV} is not set"))
        else:
            out.append(EmailNotifier(url, mail, sender=env.get("SLAMON_SMTP_FROM",
                                                               "slamon@localhost")))
    for i, hook in enumerate(hooks):
        out.append(WebhookNotifier(hook, channel=f"webhook:contact{i}"))
    for spec in contract.notifications:
        if SUBSCRIPTION in spec.on:
            out.append(build(spec, env, contract, strict=False))
    return out


class Undelivered(TransientError):
    """A case notice some channel has not received yet. Its notifier sent-log row already
    holds (and the log already said) why, so the case process retries it quietly."""

    quiet = True


@dataclass
class CaseSender:
    """A `send` for `monitor.cases.service.tick`: dispatches to the event's notifiers and
    raises `Undelivered` when a channel failed or waits for its retry, so the case sent-log
    does not record the event and a later pass tries the channels that have not received it
    yet."""

    contract: Contract
    sent: SentLog
    environ: Mapping[str, str] | None = None
    policy: RetryPolicy | None = None
    outcomes: list[str] = field(default_factory=list)

    def __call__(self, event: CaseEvent) -> None:
        notifiers = case_notifiers(self.contract, event.to, self.environ)
        results = dispatch(to_notification(event, self.contract.vendor), notifiers,
                           self.sent, self.policy)
        self.outcomes += [f"{event.key} {r.channel} {r.status}" for r in results]
        failed = [r for r in results if r.status in ("failed", "waiting")]
        if failed:
            raise Undelivered(f"{event.key}: {len(failed)} channel(s) not delivered: "
                              + "; ".join(f"{r.channel}: {r.detail}" for r in failed))
