"""Operational date across DST transitions and at the rollover boundary (domain.md §0.2 rule 2)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.opday import instant_on, operational_date, rollover_instant, week_start

ZONES = st.sampled_from(
    [ZoneInfo("America/Winnipeg"), ZoneInfo("America/St_Johns"), ZoneInfo("Europe/London")]
)
TIMES = st.times().map(lambda t: t.replace(microsecond=0))
# hypothesis takes naive bounds and attaches the timezone itself.
NAIVE_MIN, NAIVE_MAX = datetime(2020, 1, 1), datetime(2035, 1, 1)  # noqa: DTZ001
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
# Every day with a DST transition in Winnipeg from 2020 to 2035, with its neighbours.
WINNIPEG = ZoneInfo("America/Winnipeg")


def _offset_changes(day: date) -> bool:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=WINNIPEG)
    return noon.utcoffset() != noon.replace(hour=0).utcoffset()


TRANSITIONS = [
    date(2020, 1, 1) + timedelta(days=i)
    for i in range((date(2036, 1, 1) - date(2020, 1, 1)).days)
    if _offset_changes(date(2020, 1, 1) + timedelta(days=i))
]
DST_DAYS = st.sampled_from(TRANSITIONS).flatmap(
    lambda d: st.sampled_from([d - timedelta(days=1), d, d + timedelta(days=1)])
)


def test_the_transition_list_is_not_empty() -> None:
    assert len(TRANSITIONS) == 32  # two a year for sixteen years


@given(day=DST_DAYS | DAYS, rollover=TIMES, tz=ZONES)
def test_rollover_instant_starts_its_own_day(day: date, rollover: time, tz: ZoneInfo) -> None:
    start = rollover_instant(day, tz=tz, rollover=rollover)
    assert operational_date(start, tz=tz, rollover=rollover) == day
    before = start - timedelta(microseconds=1)
    assert operational_date(before, tz=tz, rollover=rollover) == day - timedelta(days=1)


@given(
    a=st.datetimes(min_value=NAIVE_MIN, max_value=NAIVE_MAX, timezones=st.just(UTC)),
    step=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=30)),
    rollover=TIMES,
    tz=ZONES,
)
def test_operational_date_never_goes_backwards(
    a: datetime, step: timedelta, rollover: time, tz: ZoneInfo
) -> None:
    assert operational_date(a, tz=tz, rollover=rollover) <= operational_date(
        a + step, tz=tz, rollover=rollover
    )


@given(day=DST_DAYS | DAYS, rollover=TIMES, at=TIMES, tz=ZONES)
def test_a_wall_time_of_the_day_lies_inside_it(
    day: date, rollover: time, at: time, tz: ZoneInfo
) -> None:
    instant = instant_on(day, at, tz=tz, rollover=rollover)
    assert operational_date(instant, tz=tz, rollover=rollover) == day


@given(day=DST_DAYS, at=TIMES)
def test_default_rollover_matches_the_plain_local_rule(day: date, at: time) -> None:
    """With the default 03:00 (outside Winnipeg's 02:00–03:00 transitions) the simple rule holds."""
    local = datetime.combine(day, at, tzinfo=WINNIPEG)
    if local.astimezone(UTC).astimezone(WINNIPEG).replace(tzinfo=None) != local.replace(
        tzinfo=None
    ):
        return  # a wall time that does not exist
    expected = day - timedelta(days=1) if at < time(3, 0) else day
    assert operational_date(local, tz=WINNIPEG, rollover=time(3, 0)) == expected


def test_after_midnight_is_still_yesterday() -> None:
    at = datetime(2026, 11, 25, 1, 30, tzinfo=WINNIPEG)  # Wednesday 01:30
    assert operational_date(at, tz=WINNIPEG, rollover=time(3, 0)) == date(2026, 11, 24)
    assert instant_on(date(2026, 11, 24), time(1, 30), tz=WINNIPEG, rollover=time(3, 0)) == at


def test_spring_forward_day_is_23_hours() -> None:
    start = rollover_instant(date(2026, 3, 7), tz=WINNIPEG, rollover=time(3, 0))
    end = rollover_instant(date(2026, 3, 8), tz=WINNIPEG, rollover=time(3, 0))
    assert end - start == timedelta(hours=23)


@given(day=DAYS)
def test_week_starts_on_the_monday_before(day: date) -> None:
    monday = week_start(day)
    assert monday.weekday() == 0 and timedelta(0) <= day - monday < timedelta(days=7)
