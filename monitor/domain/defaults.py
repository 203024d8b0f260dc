"""Expected vs Minimum Service Level: when a miss becomes a default that costs money.

Sourced rule (penalty_formulas.md §3.1, WE-10): a miss below the Minimum Service Level is a
default at once; a miss of the Expected Service Level above the minimum is a default only
when it is at least the Nth miss of the expected level in a rolling window of M months that
ends with the current period. Misses below the minimum count in that window too (they also
failed the expected level). The window is counted in calendar months, so quarterly SLAs
with `within_months: 12` look back over four quarters.

Only an SLA with a `default_rule` is gated this way; without one every miss is a breach
that credits directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.domain.contract import Sla
from monitor.domain.outcomes import Outcome, SlaPeriod, month_index


@dataclass(frozen=True)
class DefaultDecision:
    credits: bool  # the miss costs money now
    trigger: str  # breach | minimum_default | expected_default | expected_miss | none
    explanation: str


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def misses_in_window(history: Sequence[SlaPeriod], index: int, within_months: int) -> int:
    """Misses of the expected level in the `within_months` months ending at `index`."""
    end = month_index(history[index].period)
    return sum(
        1
        for entry in history[: index + 1]
        if entry.outcome.is_miss and end - within_months < month_index(entry.period) <= end
    )


def decide(sla: Sla, history: Sequence[SlaPeriod], index: int) -> DefaultDecision:
    """Whether the outcome at `history[index]` yields a credit under the SLA's default rule."""
    outcome = history[index].outcome
    if not outcome.is_miss:
        return DefaultDecision(False, "none", "")
    rule = sla.default_rule
    if rule is None:
        return DefaultDecision(True, "breach", "")
    if outcome is Outcome.BELOW_MINIMUM:
        return DefaultDecision(
            True, "minimum_default", "Minimum Service Level default (below the minimum)"
        )
    count = misses_in_window(history, index, rule.within_months)
    if count >= rule.misses:
        return DefaultDecision(
            True,
            "expected_default",
            f"Expected Service Level default: {ordinal(count)} miss within "
            f"{rule.within_months} months (default from the {ordinal(rule.misses)})",
        )
    return DefaultDecision(
        False,
        "expected_miss",
        f"Expected Service Level miss {count} of {rule.misses} within "
        f"{rule.within_months} months: no default yet",
    )
