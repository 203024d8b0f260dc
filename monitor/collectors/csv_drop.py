"""CSV drop folder: interchange files that appear in a configured folder are imported.

`sources.path` (the contract's csv folder; `drop_dir` programmatically) holds `*.csv`
files in the interchange formats (`docs/interchange.md`):
a file whose header has a `service` column is an outage CSV, anything else an interval CSV.
Each file is read whole by `monitor.interchange` (which validates everything first):

- a bad file is moved at once to `failed/` next to a `<name>.reason.txt` that says why
  (file, line, column), and nothing of it is imported;
- a good file's rows are returned, and the file is moved to `done/` only by `commit`, after
  the caller has stored the result, so a crash in between re-imports it (storage upserts).

The time window is ignored: a file holds whatever period its author exported.
"""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta
from pathlib import Path

import pandas as pd

from monitor.collectors.base import Clock, CollectResult, Limits, RequestStats, TimeWindow, setting
from monitor.collectors.http import HttpClient
from monitor.domain.contract import Contract
from monitor.domain.measurements import Outage, empty_intervals
from monitor.errors import InputError


class CsvDropCollector:
    kind = "csv"
    limits = Limits(granularity=timedelta(minutes=1), max_span=timedelta(days=3650),
                    history=timedelta(days=3650), trailing=timedelta(0))

    def __init__(self, contract: Contract, http: HttpClient | None, clock: Clock) -> None:
        self.contract, self.clock = contract, clock
        self.folder = Path(contract.sources.settings.get("drop_dir") or setting(contract, "path"))
        self._pending: list[Path] = []

    def collect(self, window: TimeWindow) -> CollectResult:
        from monitor.interchange import read_intervals, read_outages

        frames: list[pd.DataFrame] = []
        outages: list[Outage] = []
        problems: list[str] = []
        self._pending = []
        files = sorted(self.folder.glob("*.csv")) if self.folder.is_dir() else []
        for path in files:
            try:
                if _is_outage_file(path):
                    outages += read_outages(path)
                else:
                    frames.append(read_intervals(path, self.contract))
            except InputError as exc:
                self._move(path, "failed", reason=str(exc))
                problems.append(f"{path.name}: moved to failed/: {exc}")
                continue
            self._pending.append(path)
        intervals = (pd.concat(frames, ignore_index=True) if frames else empty_intervals())
        return CollectResult(
            source=self.kind, window=window, intervals=intervals,
            outages=tuple(o for o in outages if not o.excluded),
            maintenances=tuple(o for o in outages if o.excluded),
            stats=RequestStats(), problems=tuple(problems),
        )

    def commit(self, result: CollectResult) -> None:
        """Move the files behind `result` to `done/` (call after storing it)."""
        for path in self._pending:
            if path.exists():
                self._move(path, "done")
        self._pending = []

    def _move(self, path: Path, where: str, reason: str | None = None) -> Path:
        target_dir = self.folder / where
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        if target.exists():
            stamp = self.clock().strftime("%Y%m%dT%H%M%S")
            target = target_dir / f"{path.stem}.{stamp}{path.suffix}"
        shutil.move(str(path), target)
        if reason is not None:
            target.with_name(target.name + ".reason.txt").write_text(reason + "\n")
        return target


def _is_outage_file(path: Path) -> bool:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        header = next(csv.reader(handle), [])
    return "service" in {h.strip() for h in header}
