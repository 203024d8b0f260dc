"""Claims for the vendor overview: how many are outstanding per vendor and for how much."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from monitor.storage import Store


def outstanding_by_vendor(store: Store, now: datetime) -> dict[str, tuple[int, Decimal, str]]:
    """vendor -> (claims still open with money outstanding, total outstanding, currency)."""
    return {}
