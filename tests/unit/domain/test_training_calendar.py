"""Training calendar: nights, exclusions, seasons and windows (domain.md §8.2 step 1, §9)."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.training_calendar import (
    DayException,
    ExceptionType,
    HolidayRange,
    NightKind,
    Season,
    TrainingCalendar,
    Weekday,
    last_month,
    last_quarter,
    night_dates,
    night_window,
    previous_period,
)

TZ = ZoneInfo("America/Winnipeg")
TUESDAY = [Weekday.TUESDAY]


def test_stat_holiday_on_a_training_night_is_not_a_night() -> None:
    calendar = TrainingCalendar(stat_holidays=frozenset({date(2025, 11, 11)}))
    nights = night_dates(date(2025, 11, 1), date(2025, 11, 30), weekdays=TUESDAY, calendar=calendar)
    assert nights == [date(2025, 11, 4), date(2025, 11, 18), date(2025, 11, 25)]


def test_holiday_range_is_inclusive() -> None:
    calendar = TrainingCalendar((HolidayRange(date(2025, 12, 23), date(2025, 12, 30)),))
    nights = night_dates(date(2025, 12, 16), date(2026, 1, 6), weekdays=TUESDAY, calendar=calendar)
    assert nights == [date(2025, 12, 16), date(2026, 1, 6)]


def test_day_exceptions_cancel_their_own_kind() -> None:
    exceptions = (
        DayException(date(2026, 3, 17), ExceptionType.CANCELLED_TRAINING),
        DayException(date(2026, 3, 24), ExceptionType.CANCELLED_ADMIN),
        DayException(date(2026, 3, 31), ExceptionType.DAY_OFF),
    )
    calendar = TrainingCalendar(day_exceptions=exceptions)
    march = (date(2026, 3, 1), date(2026, 3, 31))
    training = night_dates(*march, weekdays=TUESDAY, calendar=calendar)
    admin = night_dates(*march, weekdays=TUESDAY, calendar=calendar, kind=NightKind.ADMIN)
    assert training == [date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 24)]
    assert admin == [date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17)]


def test_no_nights_between_training_years() -> None:
    calendar = TrainingCalendar(seasons=(Season(date(2025, 9, 1), date(2026, 6, 30)),))
    nights = night_dates(date(2026, 6, 20), date(2026, 9, 10), weekdays=TUESDAY, calendar=calendar)
    assert nights == [date(2026, 6, 23), date(2026, 6, 30)]
    unrestricted = night_dates(
        date(2026, 6, 20), date(2026, 9, 10), weekdays=TUESDAY, calendar=TrainingCalendar()
    )
    assert len(unrestricted) == 12


@given(
    st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    st.integers(0, 120),
    st.sets(st.dates(date(2024, 1, 1), date(2028, 6, 1)), max_size=20),
    st.sampled_from(list(Weekday)),
)
def test_nights_are_exactly_the_unexcluded_weekdays(
    start: date, days: int, holidays: set[date], weekday: Weekday
) -> None:
    end = start + timedelta(days=days)
    calendar = TrainingCalendar(stat_holidays=frozenset(holidays))
    nights = night_dates(start, end, weekdays=[weekday], calendar=calendar)
    every = [start + timedelta(days=i) for i in range(days + 1)]
    assert nights == [
        d for d in every if d.strftime("%A").lower() == weekday.value and d not in holidays
    ]


@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
def test_window_keeps_its_wall_times_on_every_date(on: date) -> None:
    window = night_window(on, start=time(19), end=time(22), tz=TZ, rollover=time(3))
    assert window.start_at.astimezone(TZ).time() == time(19)
    assert window.end_at.astimezone(TZ).time() == time(22)
    assert window.start_at.astimezone(TZ).date() == on
    assert window.length_s == 3 * 3600


def test_window_crossing_midnight_ends_the_next_morning() -> None:
    window = night_window(date(2026, 1, 13), start=time(20), end=time(1), tz=TZ, rollover=time(3))
    assert window.end_at.astimezone(TZ).date() == date(2026, 1, 14)
    assert window.length_s == 5 * 3600


@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 400))
def test_previous_period_has_equal_length_and_ends_before(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    prev_start, prev_end = previous_period(start, end)
    assert prev_end == start - timedelta(days=1)
    assert (prev_end - prev_start) == (end - start)


def test_last_month_and_quarter() -> None:
    assert last_month(date(2026, 3, 15)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert last_month(date(2026, 1, 5)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert last_quarter(date(2026, 5, 2)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert last_quarter(date(2026, 2, 2)) == (date(2025, 10, 1), date(2025, 12, 31))
