"""Write the README demo data: one month (October 2026) of the ACME Billing queue.

    python examples/make_sample.py [OUTPUT_DIR]

Produces `acme-2026-10-intervals.csv` (30-minute intervals during ACME's business hours:
Mon-Fri 08:00-20:00, Sat 09:00-13:00, America/New_York, closed on US holidays) and
`acme-2026-10-outages.csv`, with a fixed seed so the files never change. The week of
19 October is understaffed: service level drops far enough that the month misses its
80 % / 20 s target. One 35-minute voice outage breaks the 99.99 % availability commitment;
an announced Sunday maintenance and a degraded-quality episode do not count.
"""

from __future__ import annotations

import csv
import math
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import numpy as np

HERE = Path(__file__).resolve().parent
NY = ZoneInfo("America/New_York")
QUEUE = "f8c742b9-b5ef-4948-8bbf-9a33c892023f"
SEED = 20261001
COLUMNS = ["queue", "channel", "interval_start", "interval_minutes", "offered", "answered",
           "abandoned", "answered_within_20s", "abandoned_within_20s", "abandoned_within_5s",
           "answer_wait_seconds", "csat_1", "csat_2", "csat_3", "csat_4", "csat_5"]


def open_hours(day: date) -> tuple[time, time] | None:
    if day in holidays.country_holidays("US", years=day.year):
        return None
    if day.weekday() < 5:
        return time(8), time(20)
    if day.weekday() == 5:
        return time(9), time(13)
    return None


def volume(local: datetime) -> float:
    """Expected calls in a half-hour: a late-morning peak and an after-lunch bump."""
    h = local.hour + local.minute / 60
    curve = 30 + 45 * math.exp(-((h - 10.5) ** 2) / 3) + 30 * math.exp(-((h - 14.5) ** 2) / 4)
    return curve * (0.8 if local.weekday() == 5 else 1.0)


def interval_row(rng: np.random.Generator, local: datetime) -> list[object]:
    bad_week = date(2026, 10, 19) <= local.date() <= date(2026, 10, 23)
    offered = int(rng.poisson(volume(local)))
    abandon_p = 0.11 if bad_week else 0.035
    abandoned = int(rng.binomial(offered, abandon_p))
    answered = offered - abandoned
    sl_p = 0.52 if bad_week else 0.86
    within = int(rng.binomial(answered, sl_p))
    ab20 = int(rng.binomial(abandoned, 0.45))
    ab5 = int(rng.binomial(ab20, 0.4))
    wait = int(within * rng.uniform(4, 12) + (answered - within) * rng.uniform(35, 90))
    surveys = int(rng.binomial(answered, 0.08))
    csat = rng.multinomial(surveys, [0.04, 0.04, 0.07, 0.30, 0.55]).tolist()
    start = local.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [QUEUE, "voice", start, 30, offered, answered, abandoned, within, ab20, ab5, wait,
            *csat]


def write_intervals(path: Path) -> int:
    rng = np.random.default_rng(SEED)
    rows = 0
    with path.open("w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(COLUMNS)
        day = date(2026, 10, 1)
        while day < date(2026, 11, 1):
            hours = open_hours(day)
            if hours is not None:
                t = datetime.combine(day, hours[0], tzinfo=NY)
                end = datetime.combine(day, hours[1], tzinfo=NY)
                while t < end:
                    out.writerow(interval_row(rng, t))
                    rows += 1
                    t += timedelta(minutes=30)
            day += timedelta(days=1)
    return rows


OUTAGES = [
    # service, start, end, impact, affected_fraction, excluded, source, ref
    ("voice", "2026-10-07T14:02:00-04:00", "2026-10-07T14:37:00-04:00", "full", "1", "false",
     "aws-health", "AWS-CONNECT-2026-10-07"),
    ("ccp", "2026-10-18T02:10:00-04:00", "2026-10-18T02:50:00-04:00", "full", "1", "true",
     "aws-health", "MAINT-2026-10-18"),
    ("voice", "2026-10-27T16:00:00-04:00", "2026-10-27T16:45:00-04:00", "degraded", "0.2",
     "false", "probe", "PROBE-4411"),
]


def write_outages(path: Path) -> None:
    with path.open("w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["service", "start", "end", "impact", "affected_fraction", "excluded",
                      "source", "ref"])
        out.writerows(OUTAGES)


def main(out: Path = HERE) -> None:
    rows = write_intervals(out / "acme-2026-10-intervals.csv")
    write_outages(out / "acme-2026-10-outages.csv")
    print(f"wrote {rows} interval rows and {len(OUTAGES)} outages to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
