"""Attendance engine: presence intervals, nights attended, status, flag, trend (domain.md §8.2)."""

import itertools
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.attendance import (
    AttendanceFlag,
    AttendancePolicy,
    AttendanceStatus,
    Interval,
    MemberInput,
    NightsAttended,
    Trend,
    compute_attendance,
    flag_for,
    nights_attended,
    presence_intervals,
    status_for,
    trend_for,
)
from shared.domain.opday import operational_date, rollover_instant
from shared.domain.training_calendar import NightWindow, night_window, night_windows

TZ = ZoneInfo("America/Winnipeg")
ROLLOVER = time(3, 0)
LATER = datetime(2030, 1, 1, tzinfo=UTC)
POLICY = AttendancePolicy()


def local(on: date, hh: int, mm: int = 0, *, days: int = 0) -> datetime:
    return datetime.combine(on + timedelta(days=days), time(hh, mm), tzinfo=TZ).astimezone(UTC)


def window(on: date, start: time = time(19), end: time = time(22)) -> NightWindow:
    return night_window(on, start=start, end=end, tz=TZ, rollover=ROLLOVER)


def attended(
    events: list[tuple[datetime, bool]], windows: list[NightWindow], need: int = 60
) -> set[date]:
    intervals = presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=LATER)
    result = nights_attended(
        intervals, windows, joined_on=date(2000, 1, 1), now=LATER, minimum_presence_min=need
    )
    return set(result.attended_on)


TUE = date(2026, 1, 13)


class TestPresenceIntervals:
    def test_in_then_out_is_one_interval(self) -> None:
        events = [(local(TUE, 19), True), (local(TUE, 21), False)]
        assert presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=LATER) == [
            Interval(local(TUE, 19), local(TUE, 21))
        ]

    def test_missing_out_ends_at_the_rollover(self) -> None:
        events = [(local(TUE, 19), True), (local(TUE, 19, days=2), True)]
        intervals = presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=LATER)
        assert intervals[0] == Interval(local(TUE, 19), local(TUE, 3, days=1))

    def test_open_presence_ends_now(self) -> None:
        now = local(TUE, 20)
        intervals = presence_intervals([(local(TUE, 19), True)], tz=TZ, rollover=ROLLOVER, now=now)
        assert intervals == [Interval(local(TUE, 19), now)]

    def test_out_without_in_is_ignored(self) -> None:
        events = [(local(TUE, 3), False), (local(TUE, 19), True), (local(TUE, 20), False)]
        assert len(presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=LATER)) == 1

    def test_after_midnight_presence_belongs_to_the_previous_operational_day(self) -> None:
        events = [(local(TUE, 0, 30, days=1), True)]
        (interval,) = presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=LATER)
        assert operational_date(interval.start_at, tz=TZ, rollover=ROLLOVER) == TUE
        assert interval.end_at == rollover_instant(
            TUE + timedelta(days=1), tz=TZ, rollover=ROLLOVER
        )

    @given(st.lists(st.tuples(st.integers(0, 60 * 24 * 20), st.booleans()), max_size=60))
    def test_intervals_are_ordered_disjoint_and_within_one_operational_day(
        self, raw: list[tuple[int, bool]]
    ) -> None:
        start = datetime(2026, 3, 1, tzinfo=UTC)  # spans the spring DST change
        events = sorted((start + timedelta(minutes=m), is_in) for m, is_in in raw)
        intervals = presence_intervals(events, tz=TZ, rollover=ROLLOVER, now=LATER)
        for interval in intervals:
            assert interval.start_at < interval.end_at
            day = operational_date(interval.start_at, tz=TZ, rollover=ROLLOVER)
            assert interval.end_at <= rollover_instant(
                day + timedelta(days=1), tz=TZ, rollover=ROLLOVER
            )
        for first, second in itertools.pairwise(intervals):
            assert first.end_at <= second.start_at
        assert len(intervals) <= sum(1 for _, is_in in events if is_in)


class TestNightsAttended:
    def test_presence_overlap_counts_not_the_in_scan(self) -> None:
        # In at 17:00, before the window, out at 20:05: 65 minutes inside 19:00-22:00.
        events = [(local(TUE, 17), True), (local(TUE, 20, 5), False)]
        assert attended(events, [window(TUE)]) == {TUE}

    def test_in_scan_inside_the_window_with_too_little_presence_does_not_count(self) -> None:
        events = [(local(TUE, 21, 15), True), (local(TUE, 23), False)]
        assert attended(events, [window(TUE)]) == set()
        assert attended(events, [window(TUE)], need=45) == {TUE}

    def test_split_visits_add_up(self) -> None:
        events = [(local(TUE, 19), True), (local(TUE, 19, 35), False)]
        events += [(local(TUE, 21, 20), True), (local(TUE, 21, 50), False)]
        assert attended(events, [window(TUE)]) == {TUE}

    def test_window_across_midnight_counts_for_the_night_it_started(self) -> None:
        late = window(TUE, time(20), time(1))
        assert late.end_at == local(TUE, 1, days=1)
        events = [(local(TUE, 0, 10, days=1), True), (local(TUE, 2, days=1), False)]
        assert attended(events, [late], need=45) == {TUE}
        assert attended(events, [late], need=60) == set()

    @pytest.mark.parametrize("on", [date(2026, 3, 10), date(2025, 11, 4)])  # after each DST change
    def test_windows_follow_dst_not_a_fixed_offset(self, on: date) -> None:
        events = [(local(on, 20, 55), True), (local(on, 22, 15), False)]
        assert attended(events, [window(on)]) == {on}
        assert window(on).start_at.astimezone(TZ).time() == time(19)

    def test_nights_before_joining_or_not_yet_over_are_not_possible(self) -> None:
        windows = night_windows(
            [TUE, TUE + timedelta(days=7), TUE + timedelta(days=14)],
            start=time(19), end=time(22), tz=TZ, rollover=ROLLOVER,
        )  # fmt: skip
        now = local(TUE + timedelta(days=14), 21)  # the third night is still going
        result = nights_attended(
            [], windows, joined_on=TUE + timedelta(days=1), now=now, minimum_presence_min=60
        )
        assert result.possible == 1

    @given(
        st.lists(st.tuples(st.integers(0, 60 * 24 * 28), st.booleans()), max_size=40),
        st.integers(1, 180),
    )
    def test_attended_is_a_subset_and_shrinks_as_the_minimum_grows(
        self, raw: list[tuple[int, bool]], need: int
    ) -> None:
        start = datetime(2026, 1, 12, 6, tzinfo=UTC)
        events = sorted((start + timedelta(minutes=m), is_in) for m, is_in in raw)
        nights = [TUE + timedelta(days=7 * i) for i in range(4)]
        windows = night_windows(nights, start=time(19), end=time(22), tz=TZ, rollover=ROLLOVER)
        loose, strict = attended(events, windows, need), attended(events, windows, need + 30)
        assert strict <= loose <= set(nights)


class TestRules:
    @given(st.floats(0, 100), st.floats(0, 100))
    def test_flag_never_improves_as_percentage_drops(self, a: float, b: float) -> None:
        order = [AttendanceFlag.NONE, AttendanceFlag.WARNING, AttendanceFlag.CRITICAL]
        high, low = max(a, b), min(a, b)
        assert order.index(flag_for(high, POLICY)) <= order.index(flag_for(low, POLICY))

    def test_flag_boundaries(self) -> None:
        assert flag_for(75.0, POLICY) is AttendanceFlag.NONE
        assert flag_for(74.9, POLICY) is AttendanceFlag.WARNING
        assert flag_for(50.0, POLICY) is AttendanceFlag.WARNING
        assert flag_for(49.9, POLICY) is AttendanceFlag.CRITICAL

    def test_new_member_inside_grace_period(self) -> None:
        counts = NightsAttended((), 10)
        joined = date(2026, 1, 1)
        assert (
            status_for(counts, joined_on=joined, as_of=date(2026, 1, 28), policy=POLICY)
            is AttendanceStatus.NEW
        )
        assert (
            status_for(counts, joined_on=joined, as_of=date(2026, 1, 29), policy=POLICY)
            is AttendanceStatus.CALCULATED
        )
        few = NightsAttended((), 2)
        assert (
            status_for(few, joined_on=date(2020, 1, 1), as_of=joined, policy=POLICY)
            is AttendanceStatus.INSUFFICIENT_DATA
        )

    @given(st.floats(0, 100), st.floats(0, 100))
    def test_trend_is_antisymmetric(self, a: float, b: float) -> None:
        forward, delta = trend_for(a, b, POLICY)
        backward, back = trend_for(b, a, POLICY)
        mirror = {Trend.UP: Trend.DOWN, Trend.DOWN: Trend.UP, Trend.STABLE: Trend.STABLE}
        assert backward is mirror[forward]
        assert delta is not None and back is not None and abs(delta + back) < 1e-9

    def test_no_trend_without_a_previous_period(self) -> None:
        assert trend_for(80.0, None, POLICY) == (Trend.NONE, None)

    def test_thresholds_must_be_ordered(self) -> None:
        with pytest.raises(ValueError, match="critical < warning"):
            AttendancePolicy(warning_threshold=50, critical_threshold=50)


def test_compute_attendance_for_a_member_who_joined_mid_period() -> None:
    nights = [TUE + timedelta(days=7 * i) for i in range(8)]
    windows = night_windows(nights, start=time(19), end=time(22), tz=TZ, rollover=ROLLOVER)
    joined = nights[4]
    events = [(local(n, 19), True) for n in nights[3:6]] + [
        (local(n, 22), False) for n in nights[3:6]
    ]
    intervals = presence_intervals(sorted(events), tz=TZ, rollover=ROLLOVER, now=LATER)
    member = MemberInput(uuid.uuid4(), joined, intervals)
    (result,) = compute_attendance(
        [member], windows, [], now=LATER, as_of=nights[-1], policy=POLICY
    )
    assert (result.attended, result.possible) == (2, 4)  # the visit before joining is not counted
    assert result.percentage == 50.0
    assert result.status is AttendanceStatus.NEW  # joined 3 weeks before the end
    assert result.flag is AttendanceFlag.NONE
