"""Attendance edges: the minimum-presence and "window has ended" boundaries, presence at the
exact rollover, the flag and trend a calculated member gets, and the policy's limits.

Found by mutation testing (`uv run python -m tools.mutation`): the existing tests checked the
rules one by one but never the combined result of `assess`/`compute_attendance` for a member
past the grace period, nor the equal-to cases of each comparison.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain.attendance import (
    AttendanceFlag,
    AttendancePolicy,
    AttendanceStatus,
    Interval,
    MemberAttendance,
    MemberInput,
    NightsAttended,
    OperationalDays,
    Trend,
    assess,
    compute_attendance,
    nights_attended,
    presence_intervals,
    status_for,
    trend_for,
)
from shared.domain.opday import rollover_instant
from shared.domain.training_calendar import night_window, night_windows

TZ = ZoneInfo("America/Winnipeg")
ROLLOVER = time(3, 0)
POLICY = AttendancePolicy()  # warning 75, critical 50, 60 min, 4 grace weeks, 3 nights, band 5
TUE = date(2026, 1, 13)
LONG_AGO = date(2020, 1, 1)
MEMBER = uuid.UUID(int=5)


def local(on: date, hh: int, mm: int = 0, ss: int = 0, *, days: int = 0) -> datetime:
    wall = datetime.combine(on + timedelta(days=days), time(hh, mm, ss), tzinfo=TZ)
    return wall.astimezone(UTC)


def counts(attended: int, possible: int) -> NightsAttended:
    return NightsAttended(tuple(TUE + timedelta(days=7 * i) for i in range(attended)), possible)


class TestPolicyLimits:
    @pytest.mark.parametrize(
        ("critical", "warning"), [(0.0, 75.0), (50.0, 100.0), (0.0, 0.5), (99.5, 100.0)]
    )
    def test_thresholds_may_touch_zero_and_one_hundred(
        self, critical: float, warning: float
    ) -> None:
        AttendancePolicy(warning_threshold=warning, critical_threshold=critical)

    @pytest.mark.parametrize(("critical", "warning"), [(-0.5, 75.0), (50.0, 100.5)])
    def test_thresholds_outside_zero_to_one_hundred_are_refused(
        self, critical: float, warning: float
    ) -> None:
        with pytest.raises(ValueError, match="critical < warning"):
            AttendancePolicy(warning_threshold=warning, critical_threshold=critical)

    def test_one_minute_is_the_shortest_minimum_presence(self) -> None:
        AttendancePolicy(minimum_presence_min=1)
        with pytest.raises(ValueError, match="at least one minute"):
            AttendancePolicy(minimum_presence_min=0)


class TestPresenceAtTheEdges:
    def test_an_in_exactly_at_the_rollover_starts_the_new_day(self) -> None:
        rollover = local(TUE, 3, days=1)
        events = [(local(TUE, 19), True), (rollover, True), (local(TUE, 5, days=1), False)]
        assert presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=local(TUE, 12, days=2)) == [
            Interval(local(TUE, 19), rollover),
            Interval(rollover, local(TUE, 5, days=1)),
        ]

    def test_an_in_and_out_at_the_same_instant_is_no_presence(self) -> None:
        at = local(TUE, 19)
        events = [(at, True), (at, False)]
        assert presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=local(TUE, 23)) == []

    def test_an_in_at_now_is_no_presence_yet(self) -> None:
        now = local(TUE, 19)
        assert presence_intervals([(now, True)], tz=TZ, rollover=ROLLOVER, now=now) == []
        assert (
            presence_intervals([(now, True), (now, False)], tz=TZ, rollover=ROLLOVER, now=now) == []
        )

    def test_precomputed_days_give_the_same_intervals(self) -> None:
        events = [
            (local(TUE, 19), True),
            (local(TUE, 21), False),
            (local(TUE, 23), True),  # no out: ends at Wednesday's rollover
            (local(TUE, 19, days=1), True),  # no out: ends at Thursday's rollover
            (local(TUE, 19, days=5), True),  # after the precomputed days: computed on demand
        ]
        now = local(TUE, 12, days=9)
        days = OperationalDays.covering(TUE, TUE + timedelta(days=2), tz=TZ, rollover=ROLLOVER)
        plain = presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=now)
        assert presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=now, days=days) == plain
        assert plain[1] == Interval(local(TUE, 23), local(TUE, 3, days=1))
        assert plain[3].end_at == local(TUE, 3, days=6)


class TestOperationalDays:
    def test_covering_holds_each_day_start_and_the_next(self) -> None:
        days = OperationalDays.covering(TUE, TUE + timedelta(days=2), tz=TZ, rollover=ROLLOVER)
        assert (days.tz, days.rollover) == (TZ, ROLLOVER)
        assert days.starts == tuple(
            rollover_instant(TUE + timedelta(days=i), tz=TZ, rollover=ROLLOVER) for i in range(4)
        )

    def test_a_single_day_still_has_its_end(self) -> None:
        days = OperationalDays.covering(TUE, TUE, tz=TZ, rollover=ROLLOVER)
        assert len(days.starts) == 2

    @pytest.mark.parametrize(
        ("at", "end"),
        [
            (local(TUE, 2, 59), local(TUE, 3)),  # before the first start
            (local(TUE, 3), local(TUE, 3, days=1)),  # exactly a start
            (local(TUE, 2, 59, days=1), local(TUE, 3, days=1)),
            (local(TUE, 12, days=2), local(TUE, 3, days=3)),  # the last precomputed day
            (local(TUE, 12, days=3), local(TUE, 3, days=4)),  # past the last start
        ],
    )
    def test_end_of_day_is_the_next_rollover(self, at: datetime, end: datetime) -> None:
        days = OperationalDays.covering(TUE, TUE + timedelta(days=2), tz=TZ, rollover=ROLLOVER)
        assert days.end_of_day(at) == end


class TestNightsAtTheEdges:
    WINDOW = night_window(TUE, start=time(19), end=time(22), tz=TZ, rollover=ROLLOVER)

    def count(
        self, start: datetime, end: datetime, *, now: datetime | None = None
    ) -> NightsAttended:
        return nights_attended(
            [Interval(start, end)],
            [self.WINDOW],
            joined_on=LONG_AGO,
            now=now or local(TUE, 12, days=1),
            minimum_presence_min=60,
        )

    def test_exactly_the_minimum_presence_counts(self) -> None:
        assert self.count(local(TUE, 19), local(TUE, 20)).attended == 1

    def test_one_second_short_does_not_count(self) -> None:
        assert self.count(local(TUE, 19), local(TUE, 19, 59, 59)).attended == 0

    def test_a_window_ending_exactly_now_is_possible(self) -> None:
        result = self.count(local(TUE, 19), local(TUE, 22), now=self.WINDOW.end_at)
        assert (result.attended, result.possible) == (1, 1)

    def test_a_window_ending_after_now_is_not(self) -> None:
        now = self.WINDOW.end_at - timedelta(microseconds=1)
        assert self.count(local(TUE, 19), local(TUE, 22), now=now).possible == 0


class TestStatusAndTrendBoundaries:
    def test_exactly_the_minimum_nights_is_calculated(self) -> None:
        status = status_for(counts(0, 3), joined_on=LONG_AGO, as_of=TUE, policy=POLICY)
        assert status is AttendanceStatus.CALCULATED

    @pytest.mark.parametrize(("current", "previous"), [(80.0, 75.0), (70.0, 75.0)])
    def test_a_change_of_exactly_the_band_is_stable(self, current: float, previous: float) -> None:
        assert trend_for(current, previous, POLICY) == (Trend.STABLE, current - previous)


class TestAssess:
    def run(
        self, now: NightsAttended, before: NightsAttended | None, *, joined_on: date = LONG_AGO
    ) -> MemberAttendance:
        return assess(now, before, member_id=MEMBER, joined_on=joined_on, as_of=TUE, policy=POLICY)

    def test_a_calculated_member_gets_flag_trend_and_delta(self) -> None:
        result = self.run(counts(2, 4), counts(3, 4))
        assert result == MemberAttendance(
            member_id=MEMBER,
            attended_on=counts(2, 4).attended_on,
            possible=4,
            percentage=50.0,
            status=AttendanceStatus.CALCULATED,
            flag=AttendanceFlag.WARNING,
            trend=Trend.DOWN,
            delta=-25.0,
        )

    def test_the_flag_follows_the_percentage(self) -> None:
        assert self.run(counts(1, 4), None).flag is AttendanceFlag.CRITICAL
        assert self.run(counts(4, 4), None).flag is AttendanceFlag.NONE

    def test_no_previous_period_means_no_trend(self) -> None:
        result = self.run(counts(3, 4), None)
        assert (result.trend, result.delta) == (Trend.NONE, None)

    def test_a_previous_period_with_exactly_the_minimum_nights_is_compared(self) -> None:
        result = self.run(counts(3, 3), counts(0, 3))
        assert (result.trend, result.delta) == (Trend.UP, 100.0)

    def test_a_previous_period_with_too_few_nights_is_not_compared(self) -> None:
        result = self.run(counts(3, 3), counts(0, 2))
        assert (result.trend, result.delta) == (Trend.NONE, None)

    def test_a_new_member_has_a_percentage_but_no_flag_or_trend(self) -> None:
        result = self.run(counts(0, 4), counts(4, 4), joined_on=TUE - timedelta(days=7))
        assert result.status is AttendanceStatus.NEW
        assert result.percentage == 0.0
        assert (result.flag, result.trend, result.delta) == (AttendanceFlag.NONE, Trend.NONE, None)


def test_compute_attendance_compares_with_the_previous_period() -> None:
    nights = [TUE + timedelta(days=7 * i) for i in range(8)]
    earlier = night_windows(nights[:4], start=time(19), end=time(22), tz=TZ, rollover=ROLLOVER)
    later = night_windows(nights[4:], start=time(19), end=time(22), tz=TZ, rollover=ROLLOVER)
    # Present on every earlier night, on one of the later ones.
    present = nights[:4] + nights[4:5]
    intervals = [Interval(local(n, 19), local(n, 22)) for n in present]
    member = MemberInput(MEMBER, LONG_AGO, intervals)
    now = local(nights[-1], 12, days=1)
    (result,) = compute_attendance(
        [member], later, earlier, now=now, as_of=nights[-1], policy=POLICY
    )
    assert result.member_id == MEMBER
    assert (result.attended, result.possible, result.percentage) == (1, 4, 25.0)
    assert (result.flag, result.trend, result.delta) == (AttendanceFlag.CRITICAL, Trend.DOWN, -75.0)
