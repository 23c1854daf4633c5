"""Operational date: the local date, minus one day before the rollover time (domain.md §1.8)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def operational_date(at: datetime, *, tz: ZoneInfo, rollover: time) -> date:
    """Return the operational date of the aware instant `at`.

    Local times before `rollover` (default 03:00) belong to the previous day (§0.2 rule 2).
    """
    if at.tzinfo is None:
        raise ValueError("operational_date needs an aware datetime")
    local = at.astimezone(tz)
    if local.time() < rollover:
        return local.date() - timedelta(days=1)
    return local.date()


def rollover_instant(on: date, *, tz: ZoneInfo, rollover: time) -> datetime:
    """Return the aware instant at which operational date `on` starts.

    On a DST gap the wall time is resolved by zoneinfo's fold=0 rule, which moves it forward.
    """
    naive = datetime.combine(on, rollover)
    local = naive.replace(tzinfo=tz)
    # Normalise through UTC so a non-existent wall time (spring forward) maps to a real instant.
    return local.astimezone(ZoneInfo("UTC")).astimezone(tz)
