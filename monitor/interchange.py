"""The public file formats of `docs/interchange.md`: interval CSV, outage CSV and the
JSON shape of `slamon evaluate --json`.

Readers validate everything before returning anything: a missing column, a bad value,
`answered > offered`, a timestamp without offset or an unknown queue raises `InputError`
naming the file, the 1-based line (the header is line 1) and the column. Unknown columns are
ignored with an `InterchangeWarning` (a `UserWarning`), so callers can collect or silence them.

Count columns must hold non-negative whole numbers (seconds totals too: a collector converts
vendor milliseconds before writing), so the engine can keep numerators exact.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitor import interval_rules
from monitor.csvtable import read_table
from monitor.domain.contract import Contract
from monitor.domain.measurements import (
    CHANNELS,
    OCCUPANCY_COLUMNS,
    OPTIONAL_COUNT_COLUMNS,
    REQUIRED_INTERVAL_COLUMNS,
    THRESHOLD_PREFIXES,
    Outage,
)
from monitor.domain.outlook import outlook_of
from monitor.domain.results import CreditLine, Evaluation, PeriodCredits, SlaResult
from monitor.errors import InputError

INTERVAL_MINUTES: frozenset[int] = frozenset({15, 30, 60})
OUTAGE_COLUMNS: tuple[str, ...] = ("service", "start", "end", "impact")
OUTAGE_OPTIONAL: tuple[str, ...] = ("affected_fraction", "excluded", "source", "ref")
IMPACTS: tuple[str, ...] = ("full", "partial", "degraded")

_OFFSET = re.compile(r"(?:Z|z|[+-]\d{2}(?::?\d{2})?)$")
_THRESHOLD = re.compile(r"^(answered|abandoned)_within_(\d+)s$")


class InterchangeWarning(UserWarning):
    """A tolerated oddity in an input file (an unknown column)."""


def _is_known_column(name: str) -> bool:
    return (
        name in REQUIRED_INTERVAL_COLUMNS
        or name == "channel"
        or name in OPTIONAL_COUNT_COLUMNS
        or name in OCCUPANCY_COLUMNS
        or _THRESHOLD.match(name) is not None
    )


def _count_columns(columns: list[str]) -> list[str]:
    return [
        c
        for c in columns
        if c in ("interval_minutes", "offered", "answered", "abandoned")
        or c in OPTIONAL_COUNT_COLUMNS
        or c in OCCUPANCY_COLUMNS
        or (c.startswith(THRESHOLD_PREFIXES) and _THRESHOLD.match(c))
    ]


def _first_bad(mask: np.ndarray[Any, Any]) -> int:
    return int(np.flatnonzero(mask)[0])


def read_intervals(path: str | Path, contract: Contract | None = None) -> pd.DataFrame:
    """Read and validate an interval CSV; return the frame in the interchange schema.

    Queues given by name are normalised to the contract's queue id when `contract` is given
    (and a queue the contract does not list is an error). `interval_start` becomes a UTC
    `datetime64` column; count columns become `int64`; without a `channel` column the
    channel is the one the contract gives the queue, else "voice".
    """
    table = read_table(path)
    file, lines = table.file, table.lines
    for column in REQUIRED_INTERVAL_COLUMNS:
        if column not in table.header:
            raise InputError("required column is missing", file=file, line=1, column=column)
    unknown = [c for c in table.header if not _is_known_column(c)]
    for column in unknown:
        warnings.warn(
            f"{file}:1: {column}: unknown column ignored", InterchangeWarning, stacklevel=2
        )
    raw = pd.DataFrame(table.rows, columns=table.header, dtype=str)
    raw = raw.drop(columns=unknown)
    if raw.empty:
        raw = pd.DataFrame({c: pd.Series(dtype=str) for c in raw.columns})

    def fail(row: int, column: str, message: str) -> InputError:
        return InputError(message, file=file, line=lines[row] if lines else 1, column=column)

    out: dict[str, Any] = {}
    # queue
    queue = raw["queue"].str.strip()
    empty = (queue == "").to_numpy()
    if empty.any():
        raise fail(_first_bad(empty), "queue", "empty queue")
    if contract is not None:
        by_key: dict[str, str] = {}
        for q in contract.sources.queues:
            by_key[q.name] = q.id
            by_key[q.id] = q.id
        mapped = queue.map(by_key)
        bad = mapped.isna().to_numpy()
        if bad.any():
            row = _first_bad(bad)
            raise fail(
                row, "queue",
                f"unknown queue {queue.iloc[row]!r}: contract {contract.id} lists "
                + ", ".join(sorted({q.id for q in contract.sources.queues})),
            )
        queue = mapped
    out["queue"] = queue.astype("string")
    # channel
    if "channel" in raw.columns:
        channel = raw["channel"].str.strip().str.lower().replace("", "voice")
        bad = (~channel.isin(CHANNELS)).to_numpy()
        if bad.any():
            row = _first_bad(bad)
            raise fail(row, "channel", f"unknown channel {channel.iloc[row]!r}; expected one "
                       f"of {', '.join(CHANNELS)}")
    elif contract is not None:  # no column: the channel the contract gives the queue
        channels = {q.id: q.channel for q in contract.sources.queues}
        channel = queue.map(channels).fillna("voice")
    else:
        channel = pd.Series(["voice"] * len(raw), index=raw.index, dtype="string")
    out["channel"] = channel.astype("string")
    # interval_start
    text = raw["interval_start"].str.strip()
    naive = (~text.str.contains(_OFFSET)).to_numpy()
    if naive.any():
        row = _first_bad(naive)
        raise fail(row, "interval_start", f"{text.iloc[row]!r} has no UTC offset; write it "
                   "like 2026-10-01T08:00:00-04:00 or 2026-10-01T12:00:00Z")
    interval_rules.in_term(text, contract, fail)
    try:
        starts = pd.to_datetime(text, utc=True, format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        for row, value in enumerate(text):
            try:
                pd.to_datetime(value, utc=True, format="ISO8601")
            except (ValueError, TypeError, OverflowError):
                raise fail(row, "interval_start",
                           f"{value!r} is not an ISO 8601 timestamp") from None
        raise
    out["interval_start"] = starts.astype("datetime64[ns, UTC]")
    interval_rules.check_starts(out["interval_start"], text, contract, fail)
    # counts
    for column in _count_columns(list(raw.columns)):
        out[column] = interval_rules.counts(raw[column].str.strip(), column, fail)
    minutes = out["interval_minutes"].to_numpy()
    bad = ~np.isin(minutes, sorted(INTERVAL_MINUTES))
    if bad.any():
        row = _first_bad(bad)
        raise fail(row, "interval_minutes", f"{minutes[row]} is not one of 15, 30, 60")
    frame = pd.DataFrame(out)
    _check_consistency(frame, fail)
    dup = frame.duplicated(["queue", "channel", "interval_start"]).to_numpy()
    if dup.any():
        row = _first_bad(dup)
        raise fail(row, "interval_start",
                   f"a second row for queue {frame['queue'].iloc[row]!r} at this interval")
    interval_rules.alignment(frame, contract, lines, fail)
    return frame


def _check_consistency(frame: pd.DataFrame, fail: Any) -> None:
    offered = frame["offered"].to_numpy()
    checks: list[tuple[str, str, str]] = [("answered", "offered", "answered > offered"),
                                          ("abandoned", "offered", "abandoned > offered")]
    for column in frame.columns:
        match = _THRESHOLD.match(column)
        if match:
            checks.append((column, match.group(1), f"{column} > {match.group(1)}"))
    for small, big, message in checks:
        bad = frame[small].to_numpy() > frame[big].to_numpy()
        if bad.any():
            row = _first_bad(bad)
            raise fail(row, small, f"{message} ({frame[small].iloc[row]} > "
                       f"{frame[big].iloc[row]})")
    both = frame["answered"].to_numpy() + frame["abandoned"].to_numpy() > offered
    if both.any():
        row = _first_bad(both)
        raise fail(row, "abandoned", "answered + abandoned > offered")


def write_intervals(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a frame in the interchange schema; timestamps as ISO 8601 UTC with `Z`."""
    out = frame.copy()
    out["interval_start"] = out["interval_start"].dt.tz_convert("UTC").dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    out.to_csv(path, index=False, lineterminator="\n")


def _parse_instant(value: str, fail: Any, column: str) -> datetime:
    if not _OFFSET.search(value):
        raise fail(column, f"{value!r} has no UTC offset")
    try:
        if not value.isascii():  # fromisoformat reads Arabic-Indic digits as well
            raise ValueError(value)
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise fail(column, f"{value!r} is not an ISO 8601 timestamp") from None
    if not interval_rules.FIRST_DAY <= parsed.date() <= interval_rules.LAST_DAY:
        raise fail(column, f"{value!r} is outside the years {interval_rules.FIRST_DAY.year}.."
                   f"{interval_rules.LAST_DAY.year}")
    return parsed


def read_outages(path: str | Path) -> tuple[Outage, ...]:
    """Read and validate an outage CSV (one row per outage span)."""
    table = read_table(path)
    file, header = table.file, table.header
    for column in OUTAGE_COLUMNS:
        if column not in header:
            raise InputError("required column is missing", file=file, line=1, column=column)
    for column in header:
        if column not in OUTAGE_COLUMNS + OUTAGE_OPTIONAL:
            warnings.warn(f"{file}:1: {column}: unknown column ignored",
                          InterchangeWarning, stacklevel=2)
    outages: list[Outage] = []
    refs: dict[str, int] = {}
    for record, line in zip(table.rows, table.lines, strict=True):
        values = dict(zip(header, (v.strip() for v in record), strict=True))

        def fail(column: str, message: str, line: int = line) -> InputError:
            return InputError(message, file=file, line=line, column=column)

        outage = _outage(values, fail)
        if outage.ref is not None:  # the same ref twice used to keep the last silently
            if outage.ref in refs:
                raise fail("ref", f"ref {outage.ref!r} is already used on line "
                           f"{refs[outage.ref]}")
            refs[outage.ref] = line
        outages.append(outage)
    return tuple(outages)


def _outage(values: Mapping[str, str], fail: Any) -> Outage:
    service = values.get("service", "")
    if not service:
        raise fail("service", "empty service")
    start = _parse_instant(values.get("start", ""), fail, "start")
    end_text = values.get("end", "")
    end = _parse_instant(end_text, fail, "end") if end_text else None
    if end is not None and end < start:
        raise fail("end", "end is before start")
    impact = values.get("impact", "").lower()
    if impact not in IMPACTS:
        raise fail("impact", f"{impact!r} is not one of {', '.join(IMPACTS)}")
    fraction_text = values.get("affected_fraction", "") or "1"
    try:
        if not fraction_text.isascii():
            raise ValueError(fraction_text)
        fraction = float(fraction_text)
    except ValueError:
        raise fail("affected_fraction", f"{fraction_text!r} is not a number") from None
    if not 0 <= fraction <= 1:
        raise fail("affected_fraction", f"{fraction_text} is not between 0 and 1")
    excluded_text = values.get("excluded", "").lower()
    if excluded_text not in ("", "true", "false", "yes", "no", "1", "0"):
        raise fail("excluded", f"{excluded_text!r} is not true or false")
    return Outage(
        service=service, start=start, end=end, impact=impact, affected_fraction=fraction,
        excluded=excluded_text in ("true", "yes", "1"),
        source=values.get("source") or None, ref=values.get("ref") or None,
    )


def _number(value: Decimal | None) -> float | None:
    """JSON numbers: ratios rounded to 6 places, as the interchange example shows."""
    if value is None:
        return None
    return float(round(value, 6))


def _exact(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def sla_to_json(result: SlaResult, credit: Decimal | None,
                tier: str | None = None, note: str = "") -> dict[str, Any]:
    """One SLA entry; `tier` (from the credit line) fills `evidence.tier` when known.
    `standing` is the open-period state (on_track, at_risk, breach_certain) or, once the
    period has ended, met / breached; `needed` what the rest of the period must average."""
    ev = result.evidence
    o = outlook_of(result)
    return {
        "standing": str(o.standing),
        "needed": _number(o.needed) if o.open else None,
        "note": note,
        "id": result.sla_id,
        "metric": result.metric,
        "value": _number(result.value),
        "raw_value": _number(result.raw_value),
        "target": _number(result.target.value),
        "direction": str(result.target.direction),
        "status": str(result.status),
        "credit": f"{credit if credit is not None else Decimal('0.00'):.2f}",
        "evidence": {
            "numerator": _exact(ev.numerator),
            "denominator": _exact(ev.denominator),
            "intervals": ev.intervals,
            "excluded_minutes": _exact(ev.excluded_minutes),
            "formula": ev.formula,
            "tier": tier if tier is not None else ev.tier,
            "measured_minutes": _exact(ev.measured_minutes),
            "exclusions": [
                {"id": a.exclusion_id, "reason": a.reason, "start": a.start.isoformat(),
                 "end": a.end.isoformat(), "minutes": _exact(a.minutes)}
                for a in ev.exclusions
            ],
            **{k: v for k, v in ev.details.items() if _jsonable(v)},
        },
    }


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | type(None))


def evaluation_to_json(
    evaluation: Evaluation, credits: PeriodCredits | None = None, currency: str = "USD",
    notes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The `slamon evaluate --json` document of interchange.md (extra keys are additions)."""
    by_sla: dict[str, Decimal] = {}
    tiers: dict[str, str] = {}
    if credits is not None:
        currency = credits.currency
        for line in credits.lines:
            by_sla[line.sla_id] = by_sla.get(line.sla_id, Decimal(0)) + line.amount
            if line.tier is not None and line.period == evaluation.period.label:
                tiers[line.sla_id] = line.tier
    from monitor.reports.evidence import reconciliations
    from monitor.reports.evidence import to_json as reconciliation_json

    total = credits.total if credits is not None else Decimal("0.00")
    period = evaluation.period
    return {
        "contract": evaluation.contract_id,
        "period": {"label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "currency": currency,
        "status": evaluation.status,
        "as_of": evaluation.as_of.isoformat(),
        "slas": [sla_to_json(r, by_sla.get(r.sla_id), tiers.get(r.sla_id),
                             (notes or {}).get(r.sla_id, ""))
                 for r in evaluation.results],
        "credit_total": f"{total:.2f}",
        # An open period's credits accrue "if nothing changes"; they are not owed yet.
        "credit_state": "accruing" if evaluation.as_of < evaluation.period.end else "owed",
        "credit_lines": [credit_line_to_json(line) for line in credits.lines]
        if credits is not None else [],
        "reconciliation": [reconciliation_json(r) for r in reconciliations(evaluation.results)],
        "problems": list(evaluation.problems),
    }


def credit_line_to_json(line: CreditLine) -> dict[str, Any]:
    """One credit line: what is owed now, what the mechanism assessed, and why (held for
    earn-back, earned back, confirmed from an earlier period, below the minimum, capped)."""
    return {
        "sla": line.sla_id,
        "period": line.period,
        "origin": line.origin or line.period,
        "mechanism": line.mechanism,
        "status": line.status,
        "amount": f"{line.amount:.2f}",
        "assessed": f"{line.assessed:.2f}",
        "held": f"{line.held:.2f}",
        "tier": line.tier,
        "explanation": line.explanation,
    }
