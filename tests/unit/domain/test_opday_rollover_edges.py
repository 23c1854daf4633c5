"""Operational date: the exact rollover instant, and wall times clamped inside a DST-gapped day.

Found by mutation testing (`uv run python -m tools.mutation`): random wall times almost never
equal the rollover time, nor fall in the one missing hour of a spring-forward night.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.domain.opday import instant_on, operational_date, rollover_instant

WINNIPEG = ZoneInfo("America/Winnipeg")
ROLLOVER = time(3, 0)
SPRING_FORWARD = date(2026, 3, 8)  # Winnipeg: 02:00 CST -> 03:00 CDT


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


class TestTheRolloverInstant:
    def test_the_rollover_wall_time_is_the_first_instant_of_its_day(self) -> None:
        on = date(2026, 11, 24)
        at = instant_on(on, ROLLOVER, tz=WINNIPEG, rollover=ROLLOVER)
        assert at == rollover_instant(on, tz=WINNIPEG, rollover=ROLLOVER)
        assert at == utc(2026, 11, 24, 9, 0)  # 03:00 CST

    def test_one_microsecond_before_belongs_to_the_previous_day(self) -> None:
        start = utc(2026, 11, 24, 9, 0)
        assert operational_date(start, tz=WINNIPEG, rollover=ROLLOVER) == date(2026, 11, 24)
        before = start - timedelta(microseconds=1)
        assert operational_date(before, tz=WINNIPEG, rollover=ROLLOVER) == date(2026, 11, 23)

    def test_the_last_wall_time_before_the_rollover_ends_the_day(self) -> None:
        on = date(2026, 11, 24)
        at = instant_on(on, time(2, 59, 59), tz=WINNIPEG, rollover=ROLLOVER)
        assert at == utc(2026, 11, 25, 8, 59, 59)


class TestWallTimesInADstGapStayInTheirDay:
    def test_a_missing_hour_after_midnight_is_clamped_to_the_end_of_the_day(self) -> None:
        # 02:30 of operational Saturday is Sunday 02:30, which does not exist; fold=0 would move
        # it to 03:30 CDT, past the 03:00 rollover. It is kept at the day's last microsecond.
        on = SPRING_FORWARD - timedelta(days=1)
        at = instant_on(on, time(2, 30), tz=WINNIPEG, rollover=ROLLOVER)
        end = rollover_instant(SPRING_FORWARD, tz=WINNIPEG, rollover=ROLLOVER)
        assert end == utc(2026, 3, 8, 8, 0)
        assert at == end - timedelta(microseconds=1)
        assert operational_date(at, tz=WINNIPEG, rollover=ROLLOVER) == on

    def test_a_wall_time_before_a_gapped_rollover_is_clamped_to_the_start(self) -> None:
        # With a 02:30 rollover the day starts at 02:30 resolved forward (08:30 UTC); 03:00 CDT
        # is 08:00 UTC, before that start, so it is kept at the start of the day.
        rollover = time(2, 30)
        at = instant_on(SPRING_FORWARD, time(3, 0), tz=WINNIPEG, rollover=rollover)
        start = rollover_instant(SPRING_FORWARD, tz=WINNIPEG, rollover=rollover)
        assert start == utc(2026, 3, 8, 8, 30)
        assert at == start
        assert operational_date(at, tz=WINNIPEG, rollover=rollover) == SPRING_FORWARD
