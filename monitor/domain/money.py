"""Money arithmetic for credits: one rounding rule, and an exact pro-rata split.

Credits are computed with unrounded `Decimal`s and rounded once per credit line by the
contract's `Rounding` (places and a `decimal` rounding-mode name). Caps are rounded down
(`floor_money`): "in no event shall credits exceed" allows no half cent. A cap that has to be
spread over several lines is split pro rata with the largest-remainder method, so the
lines add up to the capped total to the last cent and nothing depends on the order in
which the contract lists its SLAs (ties go to the SLA id).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from decimal import Decimal

from monitor.domain.contract import Rounding

ROUNDING_MODES: frozenset[str] = frozenset(
    {
        "ROUND_UP",
        "ROUND_DOWN",
        "ROUND_CEILING",
        "ROUND_FLOOR",
        "ROUND_HALF_UP",
        "ROUND_HALF_DOWN",
        "ROUND_HALF_EVEN",
        "ROUND_05UP",
    }
)

ZERO = Decimal(0)


def quantum(places: int) -> Decimal:
    """The smallest amount at `places` decimals: 2 -> Decimal("0.01")."""
    return Decimal(1).scaleb(-places)


def round_money(amount: Decimal, rounding: Rounding) -> Decimal:
    """Round `amount` once by the contract rule (`ROUND_HALF_UP` to 2 places by default)."""
    if rounding.mode not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {rounding.mode!r}")
    return amount.quantize(quantum(rounding.places), rounding=getattr(decimal, rounding.mode))


def floor_money(amount: Decimal, rounding: Rounding) -> Decimal:
    """A cap as money: rounded down to the contract's places, so it is never exceeded."""
    return amount.quantize(quantum(rounding.places), rounding=decimal.ROUND_FLOOR)


def split_pro_rata(
    amounts: Mapping[str, Decimal], total: Decimal, places: int
) -> dict[str, Decimal]:
    """Scale `amounts` (already rounded, keyed by SLA id) down so they sum to `total` exactly.

    Each share is `total × amount / sum`, floored to `places`; the cents left over go one by
    one to the largest remainders (ties: the smaller SLA id). `total` must be a multiple of
    the quantum and at most the sum of `amounts`.
    """
    whole = sum(amounts.values(), ZERO)
    if whole <= total:
        return dict(amounts)
    step = quantum(places)
    shares: dict[str, Decimal] = {}
    remainders: list[tuple[Decimal, str]] = []
    for key, amount in amounts.items():
        exact = total * amount / whole
        floor = exact.quantize(step, rounding=decimal.ROUND_FLOOR)
        shares[key] = floor
        remainders.append((exact - floor, key))
    left = total - sum(shares.values(), ZERO)
    remainders.sort(key=lambda item: (-item[0], item[1]))
    index = 0
    while left > 0:
        _, key = remainders[index % len(remainders)]
        shares[key] += step
        left -= step
        index += 1
    return shares
