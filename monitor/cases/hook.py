"""The case process as an `on_evaluated` hook of `slamon run` (`monitor.service`).

    hook = CaseHook(contracts, StoreCaseRepository(store), CaseStoreSentLog(store),
                    NotifierStoreSentLog(store), os.environ, clock)
    Service(..., on_evaluated=hook)          # or call it after `notifier(...)`'s hook

After every saved evaluation of a contract with a `performance_issue:` section it runs one
`service.tick` (open cases for breaches, certain breaches and chronic failures, sweep
deadlines, send the notices) and one `statement_tick` for the contract's vendor. `clock` is
the service's data clock, so simulated runs escalate on simulated days. `causes`, when
given, supplies the recurring causes to attach (see `monitor.domain.patterns`). `sender`,
when given, makes the `send` for a contract instead of the notifiers' `CaseSender` (e-mail,
webhooks): `slamon demo` writes its notices to a local outbox file this way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from monitor.alerting.notifiers import RetryPolicy
from monitor.alerting.notifiers import SentLog as NotifierSentLog
from monitor.domain.contract import Contract
from monitor.domain.patterns import RecurringCause
from monitor.domain.results import Evaluation, PeriodCredits

from .notify import CaseSender
from .repository import CaseRepository, SentLog
from .service import Send, statement_tick, tick


class Outcome(Protocol):
    """What `monitor.service.pipeline.EvaluationOutcome` offers."""

    @property
    def evaluations(self) -> tuple[Evaluation, ...]: ...

    @property
    def credits(self) -> tuple[PeriodCredits, ...]: ...


@dataclass
class CaseHook:
    contracts: Sequence[Contract]
    repo: CaseRepository
    sent: SentLog
    notifier_sent: NotifierSentLog
    environ: Mapping[str, str]
    clock: Callable[[], datetime]
    causes: Callable[[Contract], Sequence[RecurringCause]] | None = None
    policy: RetryPolicy | None = None
    sender: Callable[[Contract], Send] | None = None
    latest: dict[str, tuple[Evaluation, ...]] = field(default_factory=dict)

    def __call__(self, contract: Contract, outcome: Outcome) -> None:
        if contract.performance_issue is None:
            return
        now = self.clock()
        self.latest[contract.id] = outcome.evaluations
        chronic = [c for credits in outcome.credits for c in credits.chronic]
        causes = None if self.causes is None else self.causes(contract)
        send = (self.sender(contract) if self.sender is not None
                else CaseSender(contract, self.notifier_sent, self.environ, self.policy))
        tick(contract, self.repo, self.sent, send, now, outcome.evaluations, chronic, causes)
        vendor = [c for c in self.contracts
                  if c.vendor == contract.vendor and c.performance_issue is not None]
        evaluations = [e for c in vendor for e in self.latest.get(c.id, ())]
        statement_tick(vendor, evaluations, self.repo.list(), causes or (), self.sent, send,
                       now)
