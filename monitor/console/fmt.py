"""How the console writes numbers and instants: SLA values as the reports do, money only
through `money` (None when the viewer may not see it), times in the contract's zone."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

from monitor.domain.contract import Contract, Direction, Target
from monitor.reports.units import format_money, format_target, format_value


def when(instant: datetime | None, tz: tzinfo | None) -> str:
    """`2026-10-31 23:15 EDT`; in UTC when there is no contract to take a zone from."""
    if instant is None:
        return ""
    local = instant.astimezone(tz) if tz is not None else instant
    return local.strftime("%Y-%m-%d %H:%M %Z")


def value(metric: str, figure: Decimal | None) -> str:
    return format_value(metric, figure)


def target(metric: str, figure: Decimal, direction: str) -> str:
    return format_target(metric, Target(figure, Direction(direction)))


def money(amount: Decimal | None, currency: str, show: bool) -> str | None:
    """The figure as text, or None for a user who may not see money (the page then shows
    nothing at all, not even a placeholder that leaks whether there is a credit)."""
    if not show or amount is None:
        return None
    return format_money(amount, currency)


def zone(contract: Contract | None) -> tzinfo | None:
    return contract.tz if contract is not None else None
