"""Compare what the service stored with what the simulator served (its ground truth).

Used by the chaos and multi-process tests and by anyone checking a simulated run:
`truth_gaps(store, contract, scenario)` lists every interval that is missing, extra or
different, so "0 lost, 0 doubled" is one assertion (`== []`).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from monitor.collectors.base import contract_thresholds
from monitor.collectors.platforms import UNREPORTED
from monitor.domain.contract import Contract
from monitor.simulator import Scenario
from monitor.storage import Store

KEY = ["queue", "channel", "interval_start"]


def truth_frame(contract: Contract, scenario: Scenario, now: datetime | None = None
                ) -> pd.DataFrame:
    """The simulator's intervals at the contract's thresholds, as the collector maps them."""
    thresholds = contract_thresholds(contract)
    return scenario.truth(thresholds.answered, thresholds.abandoned, now=now)


def truth_gaps(store: Store, contract: Contract, scenario: Scenario,
               start: datetime | None = None, end: datetime | None = None,
               unavailable: tuple[str, ...] | None = None) -> list[str]:
    """Every difference between stored intervals and the ground truth in [start, end)
    (default: the scenario), one line each; empty when they are equal. `unavailable`:
    columns the platform's API does not report at all (default: `UNREPORTED` of the
    contract's platform, e.g. Twilio TaskRouter's handle time)."""
    start, end = start or scenario.start, end or scenario.end
    if unavailable is None:
        unavailable = UNREPORTED.get(contract.platform, ())
    truth = truth_frame(contract, scenario, now=end)
    truth = truth[(truth["interval_start"] >= start) & (truth["interval_start"] < end)]
    stored = store.load_intervals(contract.id, start, end)
    columns = [c for c in truth.columns if c not in KEY and c not in unavailable]
    problems: list[str] = []
    if stored.duplicated(KEY).any():
        problems.append(f"{int(stored.duplicated(KEY).sum())} intervals stored twice")
    merged = truth.merge(stored, on=KEY, how="outer", suffixes=("_truth", "_stored"),
                         indicator=True)
    for row in merged[merged["_merge"] == "left_only"].itertuples():
        problems.append(f"lost: {row.queue} {row.channel} {row.interval_start}")
    for row in merged[merged["_merge"] == "right_only"].itertuples():
        problems.append(f"extra: {row.queue} {row.channel} {row.interval_start}")
    both = merged[merged["_merge"] == "both"]
    for column in columns:
        if f"{column}_stored" not in both:
            problems.append(f"column {column} not stored")
            continue
        a = both[f"{column}_truth"].astype("Int64")
        b = both[f"{column}_stored"].astype("Int64")
        differ = both[(a != b).fillna(True)]
        for row in differ.itertuples():
            problems.append(f"differs: {row.queue} {row.interval_start} {column}")
    return problems
