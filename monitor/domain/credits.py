"""The credit engine: an ordered history of evaluations in, the money of each period out.

`assess_credits(contract, evaluations)` takes one contract's evaluations oldest first (one
per period) and returns one `PeriodCredits` per evaluation, in the same order. Everything
that spans months (rolling defaults, earn-back windows, chronic failure, continuous
improvement) is recomputed from that sequence, and a period's figures depend only on it and
the periods before it: re-assessing an old month with the same history gives the same money,
and adding later months never changes an earlier one.

Per SLA and period (docs/credits.md has the formulas and worked examples):

1. verdict (`outcomes.classify`): met, missed, below minimum, no data, key measurement;
2. gate: a met SLA, no data, a key measurement or an ESL miss that is not (yet) a default
   produce a line with nothing owed (`defaults.decide`);
3. amount, unrounded: per-point damages, a tier of a base, or at-risk × allocation;
4. the per-SLA cap (`cap` × base), then one rounding by the contract's rule;
5. the minimum credit: a rounded line at or below it is not issued;
6. the monthly cap over all of the period's lines, spread pro rata to the cent;
7. earn-back: a credit with an earn-back window is held instead of owed.

An SLA measured over a longer period than the evaluation (a quarterly ASA in month
evaluations) is credited once, in the evaluation that reaches the end of its period.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from monitor.domain.atrisk import (
    allocated_amount,
    at_risk_amount,
    base_amount,
    category_share,
    credit_problems,
    monthly_cap,
)
from monitor.domain.chronic import chronic_by_period
from monitor.domain.contract import Contract, Direction, Sla
from monitor.domain.defaults import decide
from monitor.domain.earnback import HeldCredit, advance
from monitor.domain.improvement import effective_targets
from monitor.domain.money import ZERO, floor_money, round_money, split_pro_rata
from monitor.domain.outcomes import Outcome, SlaPeriod, classify
from monitor.domain.periods import period_containing
from monitor.domain.results import (
    ChronicFailure,
    CreditLine,
    Evaluation,
    Period,
    PeriodCredits,
    SlaResult,
)
from monitor.domain.tiers import (
    find_tier,
    format_value,
    is_time_metric,
    show_value,
    tier_label,
)
from monitor.errors import ContractError, InputError

__all__ = ["assess_credits", "credits_for", "sla_histories"]


@dataclass(frozen=True)
class _Amount:
    raw: Decimal  # unrounded, before the per-SLA cap
    mechanism: str
    tier: str | None
    how: str


def own_period(contract: Contract, sla: Sla, evaluation: Evaluation) -> tuple[Period, bool]:
    """The SLA's own period in an evaluation, and whether the evaluation reaches its end.

    The compliance engine evaluates a quarterly SLA inside a month evaluation over the
    quarter to date; that figure is credited once, in the evaluation that reaches the end
    of the quarter, and counted as one quarter in the multi-period rules."""
    period = evaluation.period
    if sla.period is period.kind:
        return period, True
    own = period_containing(contract, sla.period, period.start)
    return own, period.end >= own.end


def _histories(
    contract: Contract, evaluations: Sequence[Evaluation]
) -> tuple[dict[str, list[tuple[int, SlaPeriod]]], dict[tuple[int, str], Period]]:
    out: dict[str, list[tuple[int, SlaPeriod]]] = {}
    to_date: dict[tuple[int, str], Period] = {}
    for sla in contract.slas:
        found: list[tuple[int, Period, SlaResult]] = []
        for index, evaluation in enumerate(evaluations):
            for result in evaluation.results:
                if result.sla_id != sla.id:
                    continue
                own, complete = own_period(contract, sla, evaluation)
                if complete:
                    found.append((index, own, result))
                else:
                    to_date[(index, sla.id)] = own
        for (_, before, _), (_, after, _) in itertools.pairwise(found):
            if after.full_start <= before.full_start:
                raise InputError(
                    f"evaluations of SLA {sla.id!r} must be oldest first, one per period: "
                    f"{after.label} comes after {before.label}"
                )
        targets = effective_targets(sla, [(period, result) for _, period, result in found])
        out[sla.id] = [
            (index, SlaPeriod(period, result, target, classify(sla, result, target)))
            for (index, period, result), target in zip(found, targets, strict=True)
        ]
    return out, to_date


def sla_histories(
    contract: Contract, evaluations: Sequence[Evaluation]
) -> dict[str, list[tuple[int, SlaPeriod]]]:
    """Per SLA id, `(evaluation index, SlaPeriod)` for every evaluation that measured a
    whole period of it, with the effective target (continuous improvement applied) and the
    verdict. A quarter-to-date figure inside a month evaluation is left out until the
    evaluation that reaches the quarter's end."""
    return _histories(contract, evaluations)[0]


def _money(contract: Contract, amount: Decimal) -> str:
    """An amount as shown in an explanation (the money itself is never rounded here)."""
    return f"{round_money(amount, contract.rounding):,}"


def _points(sla: Sla, entry: SlaPeriod) -> Decimal:
    """Shortfall in points: seconds for time metrics, percentage points for ratios."""
    value = entry.result.value
    assert value is not None  # a miss always has a value
    gap = value - entry.target.value
    if entry.target.direction is Direction.MIN:
        gap = -gap
    return gap if is_time_metric(sla.metric) else gap * 100


def show_points(points: Decimal) -> str:
    return f"{points.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP).normalize():f}"


def _amount(contract: Contract, sla: Sla, entry: SlaPeriod) -> _Amount:
    spec = sla.credits
    assert spec is not None
    cur = contract.currency
    if spec.per_point is not None:
        points = _points(sla, entry)
        counted = Decimal(math.ceil(points)) if spec.round_up else points
        unit = "s" if is_time_metric(sla.metric) else " percentage points"
        rule = " (or fraction thereof: rounded up)" if spec.round_up else ""
        return _Amount(
            raw=counted * spec.per_point,
            mechanism="per_point",
            tier=None,
            how=f"{show_points(points)}{unit} short{rule} -> {show_points(counted)} x "
            f"{_money(contract, spec.per_point)} {cur}",
        )
    if spec.tiers:
        value = entry.result.value
        assert value is not None
        tier = find_tier(spec.tiers, value)
        base = base_amount(contract, spec)
        base_name = spec.base or "allocated at-risk amount"
        if tier is None:
            return _Amount(ZERO, "tier", None, f"no tier covers {show_value(value, sla.metric)}")
        label = tier_label(tier, sla.metric)
        return _Amount(
            raw=tier.credit * base,
            mechanism="tier",
            tier=label,
            how=f"tier {label} of {base_name} {_money(contract, base)} {cur}",
        )
    share = category_share(contract, spec)
    pool = f"category {spec.category} {format_value(share, 'ratio')} x " if spec.category else ""
    allocation = format_value(spec.allocation or Decimal(1), "ratio")
    return _Amount(
        raw=allocated_amount(contract, spec),
        mechanism="allocation",
        tier=None,
        how=f"{pool}allocation {allocation} x at-risk "
        f"{_money(contract, at_risk_amount(contract))} {cur}",
    )


def _line(
    contract: Contract, sla: Sla, history: Sequence[SlaPeriod], pos: int, label: str
) -> CreditLine:
    """The line one SLA produces from its own performance in the evaluation `label` (before
    the monthly cap and earn-back)."""
    entry = history[pos]
    cur = contract.currency
    value = entry.result.value
    shown = show_value(value, sla.metric) if value is not None else "-"
    target = show_value(entry.target.value, sla.metric)
    quiet = CreditLine(sla.id, label, cur, ZERO, ZERO, "none", "none", origin=label)
    if entry.period.label != label:
        shown = f"{entry.period.label} {shown}"
    if entry.outcome is Outcome.KEY:
        return replace(quiet, status="key_measurement",
                       explanation=f"key measurement {shown} vs {target}: reported, never credited")
    if entry.outcome is Outcome.NO_DATA:
        return replace(quiet, explanation="insufficient data: no credit can be assessed")
    if entry.outcome is Outcome.MET:
        return replace(quiet, explanation=f"met: {shown} vs target {target}")
    spec = sla.credits
    if spec is None:
        return replace(quiet, explanation=f"missed ({shown} vs {target}); no credit terms")
    decision = decide(sla, history, pos)
    if not decision.credits:
        return replace(quiet, trigger=decision.trigger,
                       explanation=f"missed ({shown} vs {target}); {decision.explanation}")
    amount = _amount(contract, sla, entry)
    mechanism = "default" if sla.default_rule is not None else amount.mechanism
    why = f"{decision.explanation}; " if decision.explanation else ""
    text = f"missed ({shown} vs {target}); {why}{amount.how}"
    raw = amount.raw
    capped = False
    if spec.cap is not None and raw > spec.cap * base_amount(contract, spec):
        raw = spec.cap * base_amount(contract, spec)
        capped = True
        text += f"; capped at {format_value(spec.cap, 'ratio')} of the base"
    assessed = round_money(amount.raw, contract.rounding)
    owed = floor_money(raw, contract.rounding) if capped else round_money(raw, contract.rounding)
    status = "capped" if capped else "issued"
    if owed == 0:
        status = "none"
    elif spec.minimum_credit is not None and owed <= spec.minimum_credit:
        status, owed = "below_minimum", ZERO
        text += (f"; at or below the minimum credit {_money(contract, spec.minimum_credit)} {cur}:"
                 " not issued")
    return CreditLine(sla.id, label, cur, owed, assessed, mechanism, status, amount.tier,
                      text, origin=label, trigger=decision.trigger)


def _apply_monthly_cap(contract: Contract, lines: list[CreditLine]) -> tuple[list[CreditLine],
                                                                              Decimal | None]:
    cap = monthly_cap(contract)
    if cap is None:
        return lines, None
    cap = floor_money(cap, contract.rounding)
    owed = {line.sla_id: line.amount for line in lines if line.amount > 0}
    shares = split_pro_rata(owed, cap, contract.rounding.places)
    out = []
    for line in lines:
        share = shares.get(line.sla_id, line.amount)
        if share != line.amount:
            line = replace(line, amount=share, status="capped",
                           explanation=f"{line.explanation}; monthly cap {_money(contract, cap)} "
                           f"{contract.currency} shared pro rata")
        out.append(line)
    return out, cap


def assess_credits(contract: Contract, evaluations: Sequence[Evaluation]) -> list[PeriodCredits]:
    """One `PeriodCredits` per evaluation (oldest first), with lines, capped total and the
    chronic failures raised so far. Raises `ContractError` for inconsistent credit terms and
    `InputError` for a history that is out of order or of another contract."""
    for evaluation in evaluations:
        if evaluation.contract_id != contract.id:
            raise InputError(
                f"evaluation of {evaluation.period.label} belongs to contract "
                f"{evaluation.contract_id!r}, not {contract.id!r}"
            )
    # Each period is charged under the revision in force on its first day; the histories
    # (earn-back, rolling defaults) run over every SLA any revision has.
    revisions = [contract.in_force(ev.period.start.astimezone(contract.tz).date())
                 for ev in evaluations] or [contract]
    for revision in {id(r): r for r in revisions}.values():
        problems = credit_problems(revision)
        if problems:
            raise ContractError(problems)
    every = _every_sla(contract, revisions)
    histories, to_date = _histories(every, evaluations)
    at_index = {
        sla_id: {index: pos for pos, (index, _) in enumerate(entries)}
        for sla_id, entries in histories.items()
    }
    chronic = chronic_by_period(contract, evaluations, histories)
    held: dict[str, list[HeldCredit]] = {sla.id: [] for sla in every.slas}
    open_failures: list[ChronicFailure] = []
    lists = {sla_id: [entry for _, entry in entries] for sla_id, entries in histories.items()}
    out: list[PeriodCredits] = []
    for index, evaluation in enumerate(evaluations):
        current = revisions[index]
        resolutions: list[CreditLine] = []
        own: list[CreditLine] = []
        for sla in current.slas:
            partial = to_date.get((index, sla.id))
            if partial is not None:
                own.append(CreditLine(
                    sla.id, evaluation.period.label, current.currency, ZERO, ZERO, "none",
                    "none", origin=evaluation.period.label,
                    explanation=f"{partial.label} to date: assessed in the evaluation that "
                    f"reaches the end of {partial.label}"))
                continue
            pos = at_index[sla.id].get(index)
            if pos is None:
                continue
            history = lists[sla.id]
            still: list[HeldCredit] = []
            for credit in held[sla.id]:
                kept, line = advance(credit, history[pos], contract.currency,
                                     evaluation.period.label)
                if kept is not None:
                    still.append(kept)
                if line is not None:
                    resolutions.append(line)
            held[sla.id] = still
            own.append(_line(current, sla, history, pos, evaluation.period.label))
        own, cap = _apply_monthly_cap(current, own)
        final_own: list[CreditLine] = []
        for line in own:
            spec = current.sla(line.sla_id).credits
            if spec is not None and spec.earnback and not spec.unrelieved and line.amount > 0:
                held[line.sla_id].append(
                    HeldCredit(line.sla_id, line.period, line.amount, spec.earnback.months,
                               spec.earnback.trigger)
                )
                line = replace(line, status="held", held=line.amount, amount=ZERO,
                               explanation=f"{line.explanation}; held for earn-back over the "
                               f"next {spec.earnback.months} periods")
            final_own.append(line)
        open_failures.extend(chronic[index])
        lines = tuple(resolutions + final_own)
        out.append(
            PeriodCredits(
                period=evaluation.period.label,
                currency=contract.currency,
                lines=lines,
                total=sum((line.amount for line in lines), ZERO),
                cap=cap,
                chronic=tuple(open_failures),
                held=sum((line.held for line in final_own), ZERO),
                confirmed=sum(
                    (line.amount for line in resolutions if line.status == "confirmed"), ZERO
                ),
                earned_back=sum(
                    (line.assessed for line in resolutions if line.status == "earned_back"), ZERO
                ),
            )
        )
    return out


def _every_sla(contract: Contract, revisions: Sequence[Contract]) -> Contract:
    """`contract` with every SLA any revision has (the latest definition of each)."""
    if all(r is contract for r in revisions):
        return contract
    by_id = {sla.id: sla for revision in (contract, *revisions) for sla in revision.slas}
    return replace(contract, slas=tuple(by_id.values()))


def credits_for(contract: Contract, evaluations: Sequence[Evaluation]) -> PeriodCredits:
    """The credits of the last evaluation in `evaluations` (the history leading up to it)."""
    if not evaluations:
        raise InputError("no evaluations to assess credits for")
    return assess_credits(contract, evaluations)[-1]
