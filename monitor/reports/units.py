"""How numbers look in reports: percentages, seconds and money, as text and as XLSX formats.

One place decides that "availability" shows three decimals, that ASA is seconds, that USD
money is "$1,234.50" in HTML and '"$"#,##0.00' in Excel, so every format agrees. Values
stay numbers (Decimal) until the very last step; nothing here rounds money for
arithmetic, only for display.
"""

from __future__ import annotations

from decimal import Decimal

from monitor.domain.contract import SECONDS_METRICS, Direction, Metric, Target

# Currency symbols used in text, and Excel number formats for money cells.
_SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$",
                            "CAD": "C$", "NZD": "NZ$", "INR": "₹"}
_XLSX_MONEY: dict[str, str] = {
    "USD": '"$"#,##0.00',
    "EUR": "[$€-x-euro2] #,##0.00",
    "GBP": "£#,##0.00",
    "JPY": '"¥"#,##0',
    "AUD": '"A$"#,##0.00',
    "CAD": '"C$"#,##0.00',
}


def is_seconds(metric: str) -> bool:
    return metric in SECONDS_METRICS


def percent_places(metric: str) -> int:
    """Availability targets live in the nines (99.99 %), so it gets more places."""
    return 3 if metric == Metric.AVAILABILITY.value else 2


def format_value(metric: str, value: Decimal | None) -> str:
    """`0.830189` -> "83.02%" (service level); `31.4` -> "31.4 s" (ASA); None -> "no data"."""
    if value is None:
        return "no data"
    if is_seconds(metric):
        return f"{value.quantize(Decimal('0.1'))} s"
    places = percent_places(metric)
    pct = (value * 100).quantize(Decimal(1).scaleb(-places))
    return f"{pct}%"


def format_target(metric: str, target: Target) -> str:
    """"≥ 80.00%" for a minimum, "≤ 30.0 s" for a maximum."""
    sign = "≥" if target.direction == Direction.MIN else "≤"
    return f"{sign} {format_value(metric, target.value)}"


def symbol(currency: str) -> str:
    return _SYMBOLS.get(currency, "")


def format_money(amount: Decimal, currency: str) -> str:
    """`Decimal("2400")`, "USD" -> "$2,400.00"; unknown currencies get the ISO code."""
    places = 0 if currency == "JPY" else 2
    text = f"{amount.quantize(Decimal(1).scaleb(-places)):,}"
    sym = symbol(currency)
    if sym:
        if text.startswith("-"):
            return f"-{sym}{text[1:]}"
        return f"{sym}{text}"
    return f"{text} {currency}"


def money_string(amount: Decimal, places: int = 2) -> str:
    """The Decimal string written to CSV and JSON ("2400.00"), never a float."""
    return str(amount.quantize(Decimal(1).scaleb(-places)))


def xlsx_money_format(currency: str) -> str:
    return _XLSX_MONEY.get(currency, f'#,##0.00 "{currency}"')


def xlsx_value_format(metric: str) -> str:
    """Ratios are percentage-formatted numbers; seconds are plain numbers with a unit."""
    if is_seconds(metric):
        return '0.0 "s"'
    return "0." + "0" * percent_places(metric) + "%"
