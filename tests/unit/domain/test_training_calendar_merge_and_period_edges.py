"""Training calendar edges: merging two calendars, a season's first day, an empty night window,
and the previous quarter for every month.

Found by mutation testing (`uv run python -m tools.mutation`): `merged` had no domain test, and
the quarter arithmetic was only checked for one month.
"""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from shared.domain.training_calendar import (
    DayException,
    ExceptionType,
    HolidayRange,
    NightKind,
    Season,
    TrainingCalendar,
    is_excluded,
    last_quarter,
    night_window,
)

XMAS = HolidayRange(date(2026, 12, 20), date(2027, 1, 4), "Christmas")
OFF = DayException(date(2026, 11, 10), ExceptionType.DAY_OFF)
YEAR_26 = Season(date(2026, 9, 1), date(2027, 6, 30))
YEAR_27 = Season(date(2027, 9, 1), date(2028, 6, 30))


class TestMerged:
    def test_exclusions_of_both_calendars_apply(self) -> None:
        unit = TrainingCalendar(
            holiday_ranges=(XMAS,), stat_holidays=frozenset({date(2026, 11, 11)})
        )
        course = TrainingCalendar(
            day_exceptions=(OFF,), stat_holidays=frozenset({date(2026, 10, 12)})
        )
        assert unit.merged(course) == TrainingCalendar(
            holiday_ranges=(XMAS,),
            day_exceptions=(OFF,),
            stat_holidays=frozenset({date(2026, 11, 11), date(2026, 10, 12)}),
            seasons=None,
        )

    def test_no_seasons_on_either_side_means_no_seasons(self) -> None:
        assert TrainingCalendar().merged(TrainingCalendar()).seasons is None

    @pytest.mark.parametrize(
        ("mine", "theirs", "seasons"),
        [
            ((YEAR_26,), None, (YEAR_26,)),
            (None, (YEAR_27,), (YEAR_27,)),
            ((YEAR_26,), (YEAR_27,), (YEAR_26, YEAR_27)),
            ((), None, ()),  # an empty tuple of seasons still means "no night anywhere"
        ],
    )
    def test_seasons_of_either_calendar_are_kept(
        self,
        mine: tuple[Season, ...] | None,
        theirs: tuple[Season, ...] | None,
        seasons: tuple[Season, ...],
    ) -> None:
        merged = TrainingCalendar(seasons=mine).merged(TrainingCalendar(seasons=theirs))
        assert merged.seasons == seasons


@pytest.mark.parametrize(
    ("on", "excluded"),
    [
        (date(2026, 8, 31), True),
        (date(2026, 9, 1), False),
        (date(2027, 6, 30), False),
        (date(2027, 7, 1), True),
    ],
)
def test_a_seasons_first_and_last_days_hold_nights(on: date, excluded: bool) -> None:
    calendar = TrainingCalendar(seasons=(YEAR_26,))
    assert is_excluded(on, calendar, kind=NightKind.TRAINING) is excluded


def test_a_window_that_starts_and_ends_at_the_same_time_is_refused() -> None:
    with pytest.raises(ValueError, match="is empty on 2026-11-24"):
        night_window(
            date(2026, 11, 24),
            start=time(19),
            end=time(19),
            tz=ZoneInfo("America/Winnipeg"),
            rollover=time(3),
        )


@pytest.mark.parametrize(
    ("today", "quarter"),
    [
        (date(2026, 1, 15), (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 3, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 6, 30), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 7, 1), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 9, 15), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 10, 1), (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 12, 31), (date(2026, 7, 1), date(2026, 9, 30))),
    ],
)
def test_last_quarter_is_the_calendar_quarter_before(
    today: date, quarter: tuple[date, date]
) -> None:
    assert last_quarter(today) == quarter
