"""Earlier periods rebuilt from stored results, so the service can assess credits over a
year of history (and the exporter can tell chronic failures) without re-reading a year of
raw intervals.

The credit engine needs the ordered history of `Evaluation`s (earn-back windows, rolling
N-of-M defaults, chronic failure). The service re-evaluates only the months that can still
change (the current one and the previous one until it is final); the months before them
come back from the `results` table as they were saved. What storage does not keep
(`minimum`, `below_minimum`, `key_measurement`) follows from the contract and the stored
numerator and denominator, exactly as the engine decided it.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from monitor.domain.aggregation import meets
from monitor.domain.contract import Contract, Direction, PeriodKind, Status, Target
from monitor.domain.periods import period_for
from monitor.domain.results import Evaluation, Evidence, Period, SlaResult
from monitor.errors import InputError
from monitor.storage.repository import Store
from monitor.storage.results import StoredResult


def stored_evaluations(store: Store, contract: Contract, before: Period | None = None,
                       count: int = 12, kind: PeriodKind = PeriodKind.MONTH
                       ) -> list[Evaluation]:
    """Up to `count` stored periods of `before.kind` (else `kind`) that end by `before.start`
    (else all of them), oldest first."""
    kind = before.kind if before is not None else kind
    by_label: dict[str, list[StoredResult]] = defaultdict(list)
    for row in store.results_history(contract.id):
        if row.period_kind == str(kind) and (before is None or row.period_end <= before.start):
            by_label[row.period].append(row)
    labels = sorted(by_label, key=lambda label: by_label[label][0].period_start)[-count:]
    out: list[Evaluation] = []
    for label in labels:
        try:
            period = period_for(contract, label)
        except InputError:  # the contract's term changed since: the period is no longer in it
            continue
        rows = by_label[label]
        results = tuple(result_from_stored(contract, row) for row in rows
                        if row.sla_id in {sla.id for sla in contract.slas})
        out.append(Evaluation(contract.id, period, rows[0].as_of, rows[0].period_status,
                              results))
    return out


def result_from_stored(contract: Contract, row: StoredResult) -> SlaResult:
    """One stored SLA figure as the engine's `SlaResult` (what the credit engine reads)."""
    sla = contract.sla(row.sla_id)
    ev = row.evidence
    numerator, denominator = Decimal(ev["numerator"]), Decimal(ev["denominator"])
    direction = Direction(row.direction)
    below = (sla.minimum is not None and denominator != 0
             and not meets(numerator, denominator, sla.minimum, direction))
    return SlaResult(
        sla_id=row.sla_id, metric=row.metric, value=row.value, raw_value=row.raw_value,
        target=Target(row.target, direction), status=Status(row.status),
        evidence=Evidence(numerator, denominator, int(ev["intervals"]),
                          Decimal(ev["excluded_minutes"]), str(ev["formula"]),
                          tier=ev.get("tier"), measured_minutes=Decimal(ev["measured_minutes"]),
                          details=dict(ev.get("details") or {})),
        minimum=sla.minimum, below_minimum=below, key_measurement=sla.key_measurement)
