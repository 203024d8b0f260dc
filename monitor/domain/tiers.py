"""Credit tier tables: find the row a value falls in, and name it the way a contract does.

Tiers carry explicit bounds (`below`/`above` exclusive, `at_least`/`at_most` inclusive),
so "less than 99.99% but at least 99.0%" is `Tier(below=0.9999, at_least=0.99)` and the
boundary 99.0% falls in the 5% tier exactly as AWS writes it. The first matching row wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from monitor.domain.contract import SECONDS_METRICS, Tier


def is_time_metric(metric: str) -> bool:
    """ASA and AHT are seconds; every other metric is a ratio in [0, 1]."""
    return str(metric) in SECONDS_METRICS


def find_tier(tiers: Sequence[Tier], value: Decimal) -> Tier | None:
    """The first tier whose bounds contain `value`, or None."""
    for tier in tiers:
        if tier.contains(value):
            return tier
    return None


def format_value(value: Decimal, metric: str) -> str:
    """`0.9999` -> "99.99%" for ratios, `30` -> "30s" for times (no float on the way)."""
    if is_time_metric(metric):
        return f"{value.normalize():f}s"
    return f"{(value * 100).normalize():f}%"


def show_value(value: Decimal, metric: str) -> str:
    """Like `format_value`, for explanations: at most 4 decimals of a percent or a second."""
    if is_time_metric(metric):
        shown = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    else:
        shown = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return format_value(shown, metric)


def tier_label(tier: Tier, metric: str) -> str:
    """A readable name for a tier row: "<99.99%, >=99% -> 5%"."""
    parts: list[str] = []
    if tier.below is not None:
        parts.append(f"<{format_value(tier.below, metric)}")
    if tier.at_most is not None:
        parts.append(f"<={format_value(tier.at_most, metric)}")
    if tier.above is not None:
        parts.append(f">{format_value(tier.above, metric)}")
    if tier.at_least is not None:
        parts.append(f">={format_value(tier.at_least, metric)}")
    bounds = ", ".join(parts) if parts else "any value"
    return f"{bounds} -> {format_value(tier.credit, 'ratio')}"
