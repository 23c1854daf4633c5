"""The tests' API clock keeps clear of the operational day's rollover (tests/fixtures/auth.py)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.fixtures.auth import ROLLOVER_MARGIN, clear_of_rollover

WINNIPEG = "America/Winnipeg"  # UTC-6 in November


@pytest.mark.parametrize(
    ("utc", "moved"),
    [
        (datetime(2026, 11, 26, 8, 56, tzinfo=UTC), True),  # 02:56 local, 4 min before 03:00
        (datetime(2026, 11, 26, 8, 35, tzinfo=UTC), True),  # 02:35, inside the margin
        (datetime(2026, 11, 26, 8, 30, tzinfo=UTC), False),  # 02:30, just outside
        (datetime(2026, 11, 26, 9, 0, tzinfo=UTC), False),  # 03:00, the new day has begun
        (datetime(2026, 11, 26, 18, 0, tzinfo=UTC), False),  # noon
    ],
)
def test_only_the_minutes_before_the_rollover_are_avoided(utc: datetime, moved: bool) -> None:
    at = clear_of_rollover(utc, timezone=WINNIPEG, rollover=time(3, 0))
    assert at == (utc - ROLLOVER_MARGIN if moved else utc)


def test_a_moved_clock_stays_on_the_same_operational_day_for_twenty_minutes() -> None:
    at = clear_of_rollover(
        datetime(2026, 11, 26, 8, 59, 59, tzinfo=UTC), timezone=WINNIPEG, rollover=time(3, 0)
    )
    assert at + timedelta(minutes=20) < datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
