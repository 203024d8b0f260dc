"""Gathering a `ReportData`: evaluate the reported period and the ones before it, assess
credits over that history, and collect restatements.

Measurements come from a `Source`: interchange files (`FileSource`) or the database
(`StoreSource`). Earlier periods are re-evaluated from the same measurements rather than
read back as stored snapshots, because the credit engine needs the ordered history of
`Evaluation`s (earn-back, rolling defaults, chronic failure) and the scorecard needs the
per-interval evidence; the database adds the restatement log.

Refusals (`InputError`, exit 1 in the CLI): a period outside the contract's effective
dates (from `period_for`) and a period with no interval or outage data at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from monitor.domain.consistency import consistency_of
from monitor.domain.contract import Contract
from monitor.domain.history import evaluate_history
from monitor.domain.periods import period_for
from monitor.reports.model import CaseLike, HistoryEntry, ReportData, Restatement
from monitor.sources import Source


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def restatement_from_store(stored: Any) -> Restatement:
    """`monitor.storage.Restatement` (old/new figure dicts) -> the report's `Restatement`."""
    old, new = stored.old or {}, stored.new or {}
    return Restatement(
        period=stored.period, sla_id=stored.sla_id, restated_at=stored.at,
        reason=stored.reason or "figures changed on re-evaluation",
        old_value=_dec(old.get("value")), new_value=_dec(new.get("value")),
        old_credit=_dec(old.get("credit")), new_credit=_dec(new.get("credit")),
    )


def gather(contract: Contract, label: str, source: Source, as_of: datetime,
           generated_at: datetime, history: int = 12,
           cases: Sequence[CaseLike] | None = None) -> ReportData:
    """Evaluate `label` and up to `history` earlier periods, assess credits, build the data."""
    period = period_for(contract, label)
    past = evaluate_history(
        contract, period, lambda start, end: source.measurements(contract, start, end), as_of,
        history=history, availability_data=source.has_outages,
        is_final=lambda lab: source.closed(contract, lab), source=source.describe())
    evaluations, credits = list(past.evaluations), list(past.credits)
    current = source.measurements(contract, period.start, period.end)
    entries = [HistoryEntry(e, c) for e, c in zip(evaluations, credits, strict=True)]
    labels = {e.period.label for e in evaluations}
    return ReportData(
        contract=contract.in_force(period.first_day),
        period=period.label,
        evaluation=evaluations[-1],
        credits=credits[-1],
        generated_at=generated_at,
        history=tuple(entries[:-1]),
        restatements=tuple(r for r in map(restatement_from_store,
                                          source.stored_restatements(contract))
                           if r.period in labels),
        cases=None if cases is None else [c for c in cases if c.period in labels],
        consistency=tuple(consistency_of(contract, evaluations[-1], current.intervals)),
    )
