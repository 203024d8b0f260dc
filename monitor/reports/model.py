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
from monitor.domain.consistency import Consistency
from monitor.domain.contract import Contract, Sla, Status
from monitor.domain.outlook import status_shown
from monitor.domain.reasons import reason
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
    # Each SLA's attainment per queue and per site in the reported period (the scorecard).
    consistency: Sequence[Consistency] = ()

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
    def claim_late(self) -> bool:
        """The stored claim is a draft past its window (`deadline_note` covers the rest)."""
        return self.claim is not None and self.claim.is_overdue(self.prepared_on)

    @property
    def claim_notice(self) -> str | None:
        """Where the period's stored claim stands (docs/claims.md); None without one."""
        claim = self.claim
        if claim is None:
            return None
        if claim.is_overdue(self.prepared_on):
            return (f"Claim {claim.id} was never submitted: its window closed on "
                    f"{claim.deadline} (OVERDUE).")
        if claim.submitted_on is not None:
            ref = f", reference {claim.reference}" if claim.reference else ""
            return (f"Claim {claim.id} was submitted on {claim.submitted_on}{ref}; it is "
                    f"now {claim.state.value.replace('_', ' ')}.")
        if claim.is_open:
            return f"Claim {claim.id} is a draft: submit it by {claim.deadline}."
        return f"Claim {claim.id} is {claim.state.value.replace('_', ' ')}."

    @property
    def vendor_text(self) -> str:
        """The company the claim is addressed to: legal name and id."""
        c = self.contract
        return c.vendor if c.legal_name == c.vendor else f"{c.legal_name} ({c.vendor})"

    @property
    def revision_text(self) -> str:
        """Which revision of the contract the period was evaluated under."""
        c = self.contract
        if c.revision == "original":
            return "original terms"
        return f"{c.revision}: {c.revision_note}" if c.revision_note else c.revision

    @property
    def deadline_passed(self) -> bool:
        """Whether the report was prepared after the last day a claim is accepted."""
        deadline = self.claim_deadline
        if deadline is None:
            return False
        return self.generated_at.astimezone(self.contract.tz).date() > deadline

    @property
    def deadline_note(self) -> str:
        """What a passed deadline means, in words, for page 1 and every other format."""
        deadline = self.claim_deadline
        if deadline is None or not self.deadline_passed:
            return ""
        late = (self.generated_at.astimezone(self.contract.tz).date() - deadline).days
        return (f"The claim deadline ({deadline.isoformat()}) passed {late} day"
                f"{'' if late == 1 else 's'} before this report was prepared: the vendor may "
                "refuse the claim as late. Check the contract's terms on late claims before "
                "sending it.")

    def standing(self, result: SlaResult) -> str:
        """`met` / `breached` once the period has ended; on_track / at_risk /
        breach_certain while it is open (`monitor.domain.outlook`)."""
        return status_shown(result)

    def note(self, result: SlaResult) -> str:
        """Why the status and the money disagree, or what an open SLA still needs."""
        sla = self.sla(result.sla_id)
        if sla is None or self.credits is None:
            return ""
        lines = [line for line in self.credits.lines if line.period == self.period]
        return reason(sla, result, lines)

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
