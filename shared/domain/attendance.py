"""Attendance engine: nights attended per member, percentage, status, flag and trend.

Pure rules for domain.md §8.2 steps 2-6. A member attended a night when their presence, built
from check-in intervals, overlaps the night's window for at least the policy's minimum (not
merely "an in-scan exists"). Nights count from the member's join date and only once their
window has ended. The same functions serve training nights and BMQ sessions (step 6).
"""

import uuid
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.domain.opday import operational_date, rollover_instant
from shared.domain.training_calendar import NightWindow

# One check-in as (instant, is_in). Plain tuples rather than dataclasses: a year of a unit's
# check-ins is ~10^5 of them and this is the report's hot loop.
PresenceEvent = tuple[datetime, bool]


class AttendanceStatus(StrEnum):
    """Whether a member's percentage is meaningful (§8.2 step 3)."""

    NEW = "new"
    INSUFFICIENT_DATA = "insufficient_data"
    CALCULATED = "calculated"


class AttendanceFlag(StrEnum):
    """Threshold flag of a calculated percentage (§8.2 step 4)."""

    NONE = "none"
    WARNING = "warning"
    CRITICAL = "critical"


class Trend(StrEnum):
    """Change against the previous period of equal length (§8.2 step 5)."""

    UP = "up"
    DOWN = "down"
    STABLE = "stable"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of presence in the building, `[start_at, end_at)`."""

    start_at: datetime
    end_at: datetime


@dataclass(frozen=True, slots=True)
class AttendancePolicy:
    """Tunables from the report settings (`thresholds`, `member_handling`, `schedule`)."""

    warning_threshold: float = 75.0
    critical_threshold: float = 50.0
    minimum_presence_min: int = 60
    grace_weeks: int = 4
    minimum_nights: int = 3
    stable_band: float = 5.0

    def __post_init__(self) -> None:
        if not 0 <= self.critical_threshold < self.warning_threshold <= 100:
            raise ValueError("thresholds need 0 <= critical < warning <= 100")
        if self.minimum_presence_min < 1:
            raise ValueError("minimum presence must be at least one minute")


@dataclass(frozen=True, slots=True)
class MemberInput:
    """One member's join date and presence intervals (sorted, non-overlapping)."""

    member_id: uuid.UUID
    joined_on: date
    intervals: Sequence[Interval]


@dataclass(frozen=True, slots=True)
class NightsAttended:
    """Raw counts for one member over one set of windows."""

    attended_on: tuple[date, ...]
    possible: int

    @property
    def attended(self) -> int:
        """Number of nights attended."""
        return len(self.attended_on)

    @property
    def percentage(self) -> float | None:
        """Return attended / possible × 100, or None with no possible nights."""
        return 100.0 * self.attended / self.possible if self.possible else None


@dataclass(frozen=True, slots=True)
class MemberAttendance:
    """A member's result for a period."""

    member_id: uuid.UUID
    attended_on: tuple[date, ...]
    possible: int
    percentage: float | None
    status: AttendanceStatus
    flag: AttendanceFlag
    trend: Trend
    delta: float | None

    @property
    def attended(self) -> int:
        """Number of nights attended."""
        return len(self.attended_on)


@dataclass(frozen=True, slots=True)
class OperationalDays:
    """The start instants (UTC) of consecutive operational days, to find a day's end quickly.

    A report resolves tens of thousands of check-ins to their operational day; a bisect over
    precomputed rollover instants avoids a zone conversion per check-in.
    """

    tz: ZoneInfo
    rollover: time
    starts: tuple[datetime, ...]

    @classmethod
    def covering(
        cls, first: date, last: date, *, tz: ZoneInfo, rollover: time
    ) -> "OperationalDays":
        """Days `first` … `last` (and the start of the day after)."""
        count = (last - first).days + 2
        starts = tuple(
            rollover_instant(first + timedelta(days=i), tz=tz, rollover=rollover).astimezone(UTC)
            for i in range(max(count, 1))
        )
        return cls(tz, rollover, starts)

    def end_of_day(self, at: datetime) -> datetime:
        """The instant the operational day containing `at` ends (the next rollover)."""
        index = bisect_right(self.starts, at)
        if 0 < index < len(self.starts):
            return self.starts[index]
        day = operational_date(at, tz=self.tz, rollover=self.rollover)
        following = day + timedelta(days=1)
        return rollover_instant(following, tz=self.tz, rollover=self.rollover).astimezone(UTC)


def presence_intervals(
    events: Sequence[PresenceEvent],
    *,
    tz: ZoneInfo,
    rollover: time,
    now: datetime,
    days: OperationalDays | None = None,
) -> list[Interval]:
    """Turn one member's time-ordered check-ins into presence intervals.

    An `in` opens presence and the next `out` closes it; a repeated `in` keeps it open. Presence
    never outlives its operational day: the daily reset checks everyone out at the rollover
    (domain.md §0.2 rule 7), so an `in` without an `out` ends there, or at `now` if sooner. An
    `out` with nothing open is ignored. `days` (optional) speeds up finding a day's end.
    """
    days = days or OperationalDays(tz, rollover, ())
    intervals: list[Interval] = []
    opened: datetime | None = None
    cap = now
    for at, is_in in events:
        if opened is not None and at >= cap:
            if cap > opened:
                intervals.append(Interval(opened, cap))
            opened = None
        if is_in:
            if opened is None:
                opened = at
                cap = min(days.end_of_day(at), now)
        elif opened is not None:
            if at > opened:
                intervals.append(Interval(opened, at))
            opened = None
    if opened is not None and cap > opened:
        intervals.append(Interval(opened, cap))
    return intervals


def nights_attended(
    intervals: Sequence[Interval],
    windows: Sequence[NightWindow],
    *,
    joined_on: date,
    now: datetime,
    minimum_presence_min: int,
) -> NightsAttended:
    """Count the windows this member could attend and the ones they did (§8.2 steps 1-2).

    A window is possible when it is on or after `joined_on` and has ended by `now`. It is
    attended when presence overlaps it for `minimum_presence_min` minutes, or for the whole
    window if that is shorter. `intervals` and `windows` must be sorted by time.
    """
    need_s = 60.0 * minimum_presence_min
    attended: list[date] = []
    possible = 0
    first = 0
    for window in windows:
        if window.on < joined_on or window.end_at > now:
            continue
        possible += 1
        while first < len(intervals) and intervals[first].end_at <= window.start_at:
            first += 1
        overlap_s = 0.0
        index = first
        while index < len(intervals) and intervals[index].start_at < window.end_at:
            interval = intervals[index]
            start = max(interval.start_at, window.start_at)
            end = min(interval.end_at, window.end_at)
            overlap_s += (end - start).total_seconds()
            index += 1
        if overlap_s >= min(need_s, window.length_s):
            attended.append(window.on)
    return NightsAttended(tuple(attended), possible)


def flag_for(percentage: float, policy: AttendancePolicy) -> AttendanceFlag:
    """`none` at or above the warning threshold, `warning` at or above critical, else critical."""
    if percentage >= policy.warning_threshold:
        return AttendanceFlag.NONE
    if percentage >= policy.critical_threshold:
        return AttendanceFlag.WARNING
    return AttendanceFlag.CRITICAL


def status_for(
    counts: NightsAttended, *, joined_on: date, as_of: date, policy: AttendancePolicy
) -> AttendanceStatus:
    """`new` inside the grace period after joining, `insufficient_data` below the minimum."""
    if as_of < joined_on + timedelta(weeks=policy.grace_weeks):
        return AttendanceStatus.NEW
    if counts.possible < policy.minimum_nights:
        return AttendanceStatus.INSUFFICIENT_DATA
    return AttendanceStatus.CALCULATED


def trend_for(
    current: float | None, previous: float | None, policy: AttendancePolicy
) -> tuple[Trend, float | None]:
    """Compare two percentages; within ± `stable_band` points is stable."""
    if current is None or previous is None:
        return Trend.NONE, None
    delta = current - previous
    if delta > policy.stable_band:
        return Trend.UP, delta
    if delta < -policy.stable_band:
        return Trend.DOWN, delta
    return Trend.STABLE, delta


def assess(
    counts: NightsAttended,
    previous: NightsAttended | None,
    *,
    member_id: uuid.UUID,
    joined_on: date,
    as_of: date,
    policy: AttendancePolicy,
) -> MemberAttendance:
    """Combine the counts of a period (and the one before it) into a member's result."""
    status = status_for(counts, joined_on=joined_on, as_of=as_of, policy=policy)
    percentage = counts.percentage
    calculated = status is AttendanceStatus.CALCULATED and percentage is not None
    flag = flag_for(percentage, policy) if calculated and percentage is not None else None
    prior = None
    if previous is not None and previous.possible >= policy.minimum_nights:
        prior = previous.percentage
    trend, delta = trend_for(percentage if calculated else None, prior, policy)
    return MemberAttendance(
        member_id=member_id,
        attended_on=counts.attended_on,
        possible=counts.possible,
        percentage=percentage,
        status=status,
        flag=flag or AttendanceFlag.NONE,
        trend=trend,
        delta=delta,
    )


def compute_attendance(
    members: Sequence[MemberInput],
    windows: Sequence[NightWindow],
    previous_windows: Sequence[NightWindow],
    *,
    now: datetime,
    as_of: date,
    policy: AttendancePolicy,
) -> list[MemberAttendance]:
    """Return every member's attendance for `windows`, with the trend against `previous_windows`.

    `as_of` is the date the "new member" grace period is measured at: the end of the period, or
    today if the period has not ended.
    """
    results: list[MemberAttendance] = []
    need = policy.minimum_presence_min
    for member in members:
        counts = nights_attended(
            member.intervals,
            windows,
            joined_on=member.joined_on,
            now=now,
            minimum_presence_min=need,
        )
        previous = None
        if previous_windows:
            previous = nights_attended(
                member.intervals,
                previous_windows,
                joined_on=member.joined_on,
                now=now,
                minimum_presence_min=need,
            )
        results.append(
            assess(
                counts,
                previous,
                member_id=member.member_id,
                joined_on=member.joined_on,
                as_of=as_of,
                policy=policy,
            )
        )
    return results
