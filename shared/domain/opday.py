"""Operational date: the local date, minus one day before the rollover time (domain.md §1.8).

Every part of Sentinel that asks "which day is it" calls `operational_date` with the configured
timezone and rollover time (Appendix B.1: one function everywhere).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _resolve(naive: datetime, tz: ZoneInfo) -> datetime:
    """Return the aware-UTC instant of a wall time in `tz`.

    fold=0 takes the offset before a transition: a non-existent wall time (spring forward)
    names the instant one gap later, and a repeated one (fall back) its first occurrence. The
    result is in UTC because Python compares and subtracts datetimes that share a tzinfo by
    wall time, which is wrong across a transition.
    """
    return naive.replace(tzinfo=tz).astimezone(UTC)


def rollover_instant(on: date, *, tz: ZoneInfo, rollover: time) -> datetime:
    """Return the aware-UTC instant at which operational date `on` starts.

    On a DST gap the wall time is resolved by zoneinfo's fold=0 rule, which moves it forward.
    """
    return _resolve(datetime.combine(on, rollover), tz)


def operational_date(at: datetime, *, tz: ZoneInfo, rollover: time) -> date:
    """Return the operational date of the aware instant `at`.

    Local times before `rollover` (default 03:00) belong to the previous day (§0.2 rule 2).
    The comparison is between instants, so the answer never goes backwards when a rollover
    time falls inside a repeated (fall-back) hour.
    """
    if at.tzinfo is None:
        raise ValueError("operational_date needs an aware datetime")
    day = at.astimezone(tz).date()
    if at.astimezone(UTC) < rollover_instant(day, tz=tz, rollover=rollover):
        return day - timedelta(days=1)
    return day


def instant_on(on: date, at: time, *, tz: ZoneInfo, rollover: time) -> datetime:
    """Return the aware-UTC instant of local wall time `at` inside operational date `on`.

    Wall times before the rollover belong to the next calendar day: with the 03:00 rollover,
    01:30 of operational date Tuesday is Wednesday 01:30 local (domain.md §5.1).
    """
    day = on if at >= rollover else on + timedelta(days=1)
    start = rollover_instant(on, tz=tz, rollover=rollover)
    end = rollover_instant(on + timedelta(days=1), tz=tz, rollover=rollover)
    # A wall time inside a DST gap moves forward and could leave the day: keep it inside.
    return min(max(_resolve(datetime.combine(day, at), tz), start), end - timedelta(microseconds=1))


def week_start(on: date) -> date:
    """Return the Monday of the operational week containing `on` (domain.md §1.8)."""
    return on - timedelta(days=on.weekday())
