"""Occupancy over time: people in the building at the end of each hour, from hourly flows.

Pure rule for the presence-over-time report (issue 7). Members alternate in/out (domain.md
§0.2 rule 1) and the daily reset closes every stay, so the number present at the end of an hour
is the number present at the start of the range plus the arrivals minus the departures so far.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class HourFlow:
    """Arrivals and departures of members in one hour bucket."""

    bucket_at: datetime
    arrivals: int
    departures: int


@dataclass(frozen=True, slots=True)
class HourOccupancy:
    """An hour with its flows and the members present when it ends."""

    bucket_at: datetime
    arrivals: int
    departures: int
    present_at_end: int


def occupancy_series(
    baseline: int, flows: Sequence[HourFlow], hours: Sequence[datetime]
) -> list[HourOccupancy]:
    """Return one entry per hour in `hours` (ascending); hours without flows carry the count.

    `baseline` is the number present at the start of the first hour. A count never goes
    below zero: a departure with no matching arrival inside the data is clamped, not carried.
    """
    by_hour = {flow.bucket_at: flow for flow in flows}
    present = max(baseline, 0)
    series: list[HourOccupancy] = []
    for hour in hours:
        flow = by_hour.get(hour)
        arrivals = flow.arrivals if flow else 0
        departures = flow.departures if flow else 0
        present = max(present + arrivals - departures, 0)
        series.append(HourOccupancy(hour, arrivals, departures, present))
    return series


def peak(series: Sequence[HourOccupancy]) -> HourOccupancy | None:
    """Return the first hour with the highest end-of-hour count."""
    best: HourOccupancy | None = None
    for hour in series:
        if best is None or hour.present_at_end > best.present_at_end:
            best = hour
    return best
