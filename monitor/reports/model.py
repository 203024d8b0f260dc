"""The one input every report renderer takes: `ReportData`.

Renderers (xlsx, csv, html, pdf, json) are pure functions of a `ReportData`: they never
read files, query the database or look at the clock. `monitor.commands.report` gathers the
pieces (contract, evaluation, credits, history, restatements, cases) and builds one; tests
build them by hand with worked numbers. Everything derived that more than one format shows
(the claim deadline, the total claimed, the breached SLAs, the open chronic consequences)
is computed here once, so the XLSX and the PDF can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from monitor.domain.claims import Claim
from monitor.domain.contract import Contract, Sla, Status
from monitor.domain.results import (
    ChronicFailure,
    CreditLine,
    Evaluation,
    PeriodCredits,
    SlaResult,
)


@dataclass(frozen=True)
class Restatement:
    """A result that changed after it was first reported (late data, an approved exclusion).

    `old_*`/`new_*` are the value and credit as reported before and after; values are
    ratios or seconds like `SlaResult.value`, credits are money in the contract currency.
    """

    period: str
    sla_id: str
    restated_at: datetime
    reason: str
    old_value: Decimal | None
    new_value: Decimal | None
    old_credit: Decimal | None = None
    new_credit: Decimal | None = None


class CaseLike(Protocol):
    """What a report shows of a performance-issue case; `monitor.cases.model.Case` and
    `CaseRef` both fit."""

    @property
    def case_id(self) -> str: ...

    @property
    def sla_id(self) -> str: ...

    @property
    def period(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def summary(self) -> str: ...


@dataclass(frozen=True)
class CaseRef:
    """A performance-issue case opened for a breach, as the claim mentions it."""

    case_id: str
    sla_id: str
    period: str
    state: str  # open | acknowledged | rca_due | escalated | closed ...
    summary: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    """One past period for the scorecard: what was evaluated and what it cost the vendor."""

    evaluation: Evaluation
    credits: PeriodCredits | None = None


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything a report shows about one contract and one period.

    `history` is the ordered list of periods for the scorecard, oldest first; it normally
    ends with the reported period itself (the command adds it when the store lacks it).
    `chronic_failures` are consequences raised by the credits engine that are still open;
    the ones inside `credits.chronic` are merged in (see `open_chronic`).
    """

    contract: Contract
    period: str
    evaluation: Evaluation
    credits: PeriodCredits | None
    generated_at: datetime
    history: Sequence[HistoryEntry] = ()
    restatements: Sequence[Restatement] = ()
    chronic_failures: Sequence[ChronicFailure] = ()
    cases: Sequence[CaseLike] | None = None
    problems: Sequence[str] = field(default_factory=tuple)
    claim: Claim | None = None  # the period's service-credit claim, when one is stored

    # --- derived, shared by every format -------------------------------------------------

    @property
    def currency(self) -> str:
        return self.contract.currency

    @property
    def last_day(self) -> date:
        """The last day inside the period (`Period.end` is exclusive midnight)."""
        end = self.evaluation.period.end
        return (end - timedelta(microseconds=1)).date()

    @property
    def first_day(self) -> date:
        return self.evaluation.period.start.date()

    @property
    def claim_deadline(self) -> date | None:
        """Last day a claim for this period is accepted: the period's last day plus
        `claim_deadline_days` ("within 30 days after the end of the month" for October is
        30 November). None when the contract sets no deadline."""
        days = self.contract.claim_deadline_days
        if days is None:
            return None
        return self.last_day + timedelta(days=days)

    @property
    def prepared_on(self) -> date:
        """The day the report was generated, in the contract's zone."""
        return self.generated_at.astimezone(self.contract.tz).date()

    @property
    def claim_state(self) -> str | None:
        """The stored claim's state, `draft OVERDUE` for a draft past its window."""
        if self.claim is None:
            return None
        overdue = self.claim.is_overdue(self.prepared_on)
        return f"{self.claim.state.value}{' OVERDUE' if overdue else ''}"

    @property
    def claim_notice(self) -> str | None:
        """What the report says when it is prepared after the claim deadline."""
        deadline = self.claim.deadline if self.claim is not None else self.claim_deadline
        if deadline is None or self.prepared_on <= deadline:
            return None
        said = f"Prepared on {self.prepared_on}, after the claim deadline of {deadline}"
        if self.claim is not None and self.claim.submitted_on is not None:
            ref = f" (reference {self.claim.reference})" if self.claim.reference else ""
            return f"{said}; the claim was submitted on {self.claim.submitted_on}{ref}."
        if self.claim is None:  # no database: slamon cannot tell whether it was sent
            return f"{said}: a claim not submitted by then may be refused."
        if not self.claim.is_open:
            return f"{said}; the claim is {self.claim.state.value}."
        return f"{said}: the claim was not submitted in time (OVERDUE)."

    @property
    def total_claimed(self) -> Decimal:
        """What the vendor owes for the period, caps applied (zero without credits)."""
        if self.credits is None:
            return Decimal("0.00")
        return self.credits.total

    def credit_line(self, sla_id: str) -> CreditLine | None:
        """The SLA's own line for this period (not an earlier period's earn-back result)."""
        if self.credits is None:
            return None
        for line in self.credits.lines:
            if line.sla_id == sla_id and line.origin in (None, line.period):
                return line
        return None

    def resolution_lines(self) -> list[CreditLine]:
        """Earlier periods' held credits settled this period: `confirmed` ones are owed
        now (and inside `total_claimed`), `earned_back` ones were returned to the vendor."""
        if self.credits is None:
            return []
        return [line for line in self.credits.lines
                if line.origin not in (None, line.period)]

    @property
    def held(self) -> Decimal:
        """This period's credits held for earn-back: assessed, not claimable yet."""
        if self.credits is None:
            return Decimal("0.00")
        return self.credits.held

    def sla(self, sla_id: str) -> Sla | None:
        try:
            return self.contract.sla(sla_id)
        except KeyError:
            return None

    def breaches(self) -> list[SlaResult]:
        """Results the vendor missed: breached SLAs and missed key measurements."""
        missed = (Status.BREACHED, Status.KEY_MEASUREMENT_MISSED)
        return [r for r in self.evaluation.results if r.status in missed]

    def open_chronic(self) -> list[ChronicFailure]:
        """Chronic-failure consequences to mention, without duplicates, in stable order."""
        seen: set[tuple[str, str, tuple[str, ...]]] = set()
        out: list[ChronicFailure] = []
        extra = tuple(self.credits.chronic) if self.credits is not None else ()
        for cf in (*self.chronic_failures, *extra):
            key = (cf.rule_sla, cf.consequence, cf.periods)
            if key not in seen:
                seen.add(key)
                out.append(cf)
        return out

    def all_problems(self) -> list[str]:
        return [*self.evaluation.problems, *self.problems]

    def history_with_current(self) -> list[HistoryEntry]:
        """The scorecard's periods, oldest first, ending with the reported period: later
        periods in `history` are left out, so a re-run of an old report shows the same."""
        start = self.evaluation.period.start
        entries = [h for h in self.history if h.evaluation.period.start < start]
        entries.append(HistoryEntry(self.evaluation, self.credits))
        entries.sort(key=lambda h: h.evaluation.period.start)
        return entries
