"""Operational date: the rollover time splits local days (domain.md §1.8, §0.2 rule 2)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.opday import operational_date, rollover_instant

TZ = ZoneInfo("America/Winnipeg")
ROLLOVER = time(3, 0)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def test_before_rollover_belongs_to_previous_day() -> None:
    assert operational_date(local(2026, 11, 27, 2, 59), tz=TZ, rollover=ROLLOVER) == date(
        2026, 11, 26
    )


def test_at_rollover_starts_the_new_day() -> None:
    assert operational_date(local(2026, 11, 27, 3, 0), tz=TZ, rollover=ROLLOVER) == date(
        2026, 11, 27
    )


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        operational_date(datetime(2026, 1, 1), tz=TZ, rollover=ROLLOVER)  # noqa: DTZ001


# hypothesis takes naive bounds and attaches the timezone itself.
NAIVE_MIN, NAIVE_MAX = datetime(2020, 1, 1), datetime(2035, 1, 1)  # noqa: DTZ001


@given(st.datetimes(min_value=NAIVE_MIN, max_value=NAIVE_MAX, timezones=st.just(UTC)))
def test_every_instant_lies_in_its_operational_day(at: datetime) -> None:
    day = operational_date(at, tz=TZ, rollover=ROLLOVER)
    start = rollover_instant(day, tz=TZ, rollover=ROLLOVER)
    end = rollover_instant(day + timedelta(days=1), tz=TZ, rollover=ROLLOVER)
    assert start <= at < end


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)))
def test_operational_days_are_23_to_25_hours_long(day: date) -> None:
    start = rollover_instant(day, tz=TZ, rollover=ROLLOVER)
    end = rollover_instant(day + timedelta(days=1), tz=TZ, rollover=ROLLOVER)
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)
