"""Direct notifiers for users without Alertmanager: webhook, Slack, PagerDuty, e-mail.

`NOTIFIERS` is the explicit kind -> builder registry; `notifiers_for(contract, environ)`
builds a contract's `notifications:` entries, reading URLs and keys from the environment
variables the contract names (secrets never live in contract files).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from monitor.alerting.model import Links
from monitor.alerting.notifiers.base import BREACH, RECOVERY, NotificationEvent, Notifier
from monitor.alerting.notifiers.dispatch import Outcome, RetryPolicy, Undeliverable, dispatch
from monitor.alerting.notifiers.events import events_for
from monitor.alerting.notifiers.mail import EmailNotifier
from monitor.alerting.notifiers.pagerduty import PagerDutyNotifier
from monitor.alerting.notifiers.sentlog import JsonlSentLog, MemorySentLog, SentLog, SentRecord
from monitor.alerting.notifiers.slack import SlackNotifier
from monitor.alerting.notifiers.webhook import WebhookNotifier
from monitor.domain.contract import Contract
from monitor.domain.contract import Notifier as NotifierSpec
from monitor.domain.results import Evaluation
from monitor.errors import InputError, SlamonError

__all__ = [
    "BREACH", "NOTIFIERS", "RECOVERY", "JsonlSentLog", "MemorySentLog", "NotificationEvent",
    "Notifier", "Outcome", "RetryPolicy", "SentLog", "SentRecord", "Undeliverable", "build",
    "channel_of", "dispatch", "notifiers_for", "notify_evaluation",
]


def _secret(spec: NotifierSpec, environ: Mapping[str, str], contract: Contract) -> str:
    if not spec.target_env:
        raise InputError(f"{spec.kind} notifier needs target_env", file=contract.source_file)
    value = environ.get(spec.target_env, "")
    if not value:
        raise InputError(f"environment variable {spec.target_env} is not set",
                         file=contract.source_file, column=f"notifications[{spec.kind}]")
    return value


NOTIFIERS: dict[str, Callable[[NotifierSpec, Mapping[str, str], Contract], Notifier]] = {
    "webhook": lambda s, env, c: WebhookNotifier(_secret(s, env, c),
                                                 channel=f"webhook:{s.target_env}"),
    "slack": lambda s, env, c: SlackNotifier(_secret(s, env, c), channel=f"slack:{s.target_env}"),
    "pagerduty": lambda s, env, c: PagerDutyNotifier(_secret(s, env, c),
                                                     channel=f"pagerduty:{s.target_env}"),
    "email": lambda s, env, c: EmailNotifier(_secret(s, env, c), tuple(s.to),
                                             sender=env.get("SLAMON_SMTP_FROM",
                                                            "slamon@localhost")),
}


def channel_of(spec: NotifierSpec) -> str:
    """The channel name the notifier built from `spec` carries (never a secret)."""
    if spec.kind == "email":
        return "email:" + ",".join(spec.to)
    return f"{spec.kind}:{spec.target_env}"


def build(spec: NotifierSpec, environ: Mapping[str, str], contract: Contract,
          strict: bool = True) -> Notifier:
    """The notifier of `spec`. Not `strict`: one that cannot be configured (its variable is
    unset) comes back as `Undeliverable`, so what it should have sent is recorded as failed
    with the reason instead of being lost."""
    builder = NOTIFIERS.get(spec.kind)
    if builder is None:
        raise InputError(f"unknown notifier kind {spec.kind!r} (known: "
                         f"{', '.join(sorted(NOTIFIERS))})", file=contract.source_file)
    try:
        return builder(spec, environ, contract)
    except SlamonError as exc:
        if strict:
            raise
        return Undeliverable(channel_of(spec), str(exc))


def notifiers_for(contract: Contract, environ: Mapping[str, str],
                  kind: str | None = None, strict: bool = True) -> list[Notifier]:
    """The contract's notifiers that subscribe to `kind` (breach/recovery; None = all)."""
    return [build(spec, environ, contract, strict) for spec in contract.notifications
            if kind is None or kind in spec.on]


def notify_evaluation(contract: Contract, evaluation: Evaluation, sent: SentLog,
                      environ: Mapping[str, str], links: Links | None = None,
                      policy: RetryPolicy | None = None) -> list[Outcome]:
    """After an evaluation: send each new breach and recovery to the contract's notifiers
    that subscribe to it, once per channel (what `slamon run` calls)."""
    outcomes: list[Outcome] = []
    for event in events_for(contract, evaluation, sent, links):
        notifiers = notifiers_for(contract, environ, event.kind, strict=False)
        outcomes += dispatch(event, notifiers, sent, policy)
    return outcomes
