"""Chronic failure: repeated misses that raise a consequence (termination right, escalation).

A `ChronicRule(sla, misses, within_months, consecutive, consequence)` holds at a period when

- `consecutive`: the period and the `misses - 1` periods before it (of that SLA, or of the
  contract for `any`) were all misses, with no gap between them, and they fit in
  `within_months` calendar months;
- otherwise: at least `misses` periods missed in the `within_months` months ending there.

A failure is raised at the period where the rule starts to hold (edge-triggered), so three
bad months in a row under "2 consecutive" raise one failure, not two, and a fourth miss
inside the same "3 in 6" window raises nothing new; the rule raises again only after it has
stopped holding. For `any`, a period misses when any credited SLA (key measurements
excluded) missed its target. With `level: minimum` only misses below the SLA's minimum
count ("two consecutive months below the minimum level"). Raised failures stay open: they
appear in every later `PeriodCredits`, because a termination right does not lapse by itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.domain.contract import ChronicRule, Contract
from monitor.domain.outcomes import Outcome, SlaPeriod, follows, month_index
from monitor.domain.results import ChronicFailure, Evaluation, Period


@dataclass(frozen=True, eq=False)
class Mark:
    """Whether one period counted as a miss for a rule."""

    period: Period
    missed: bool


def _holds(rule: ChronicRule, marks: Sequence[Mark], index: int) -> tuple[str, ...] | None:
    """The periods that make the rule hold at `index`, or None when it does not hold."""
    end = month_index(marks[index].period)
    if rule.consecutive:
        start = index - rule.misses + 1
        if start < 0:
            return None
        run = marks[start : index + 1]
        if not all(mark.missed for mark in run):
            return None
        if not all(follows(a.period, b.period) for a, b in itertools.pairwise(run)):
            return None
        if end - month_index(run[0].period) >= rule.within_months:
            return None
        return tuple(mark.period.label for mark in run)
    inside = tuple(
        mark.period.label
        for mark in marks[: index + 1]
        if mark.missed and end - rule.within_months < month_index(mark.period) <= end
    )
    return inside if len(inside) >= rule.misses else None


def raised(rule: ChronicRule, marks: Sequence[Mark]) -> list[ChronicFailure | None]:
    """For each period of `marks`, the failure the rule raises there (None if none)."""
    out: list[ChronicFailure | None] = []
    held_before = False
    for index, mark in enumerate(marks):
        periods = _holds(rule, marks, index)
        if periods is not None and not held_before:
            out.append(
                ChronicFailure(
                    rule_sla=rule.sla,
                    consequence=rule.consequence,
                    periods=periods,
                    raised_in=mark.period.label,
                )
            )
        else:
            out.append(None)
        held_before = periods is not None
    return out


def chronic_by_period(
    contract: Contract, evaluations: Sequence[Evaluation],
    histories: Mapping[str, Sequence[tuple[int, SlaPeriod]]],
) -> list[list[ChronicFailure]]:
    """The failures each evaluation raises, from the per-SLA histories of
    `credits.sla_histories` (evaluation index, verdict)."""
    found: list[list[ChronicFailure]] = [[] for _ in evaluations]
    for rule in contract.chronic_failure:
        def counts(entry: SlaPeriod, rule: ChronicRule = rule) -> bool:
            if rule.level == "minimum":
                return entry.outcome is Outcome.BELOW_MINIMUM
            return entry.outcome.is_miss

        if rule.sla == "any":
            missed = [False] * len(evaluations)
            for entries in histories.values():
                for index, entry in entries:
                    missed[index] = missed[index] or counts(entry)
            indices = list(range(len(evaluations)))
            marks = [Mark(evaluations[i].period, missed[i]) for i in indices]
        else:
            entries = histories[rule.sla]
            indices = [index for index, _ in entries]
            marks = [Mark(entry.period, counts(entry)) for _, entry in entries]
        for index, failure in zip(indices, raised(rule, marks), strict=True):
            if failure is not None:
                found[index].append(failure)
    return found
