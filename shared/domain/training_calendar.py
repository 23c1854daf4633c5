"""Training calendar: which dates are training (or admin) nights and when their windows are.

Pure rules for domain.md §8.2 step 1 and §9 (training years, stat holidays): a night is every
date with the configured weekday, minus holiday-exclusion ranges, day exceptions and active stat
holidays. Windows are local wall times inside an operational day (§1.8), so a window that ends
after midnight still belongs to the night it started on, and DST is resolved per night.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.domain.opday import instant_on


class Weekday(StrEnum):
    """A weekday by its lower-case English name, as stored in settings and BMQ courses."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """Python's `date.weekday()` number (Monday = 0)."""
        return list(Weekday).index(self)


class ExceptionType(StrEnum):
    """A training-year day exception (domain.md §1.6 `day_exceptions`)."""

    DAY_OFF = "day_off"
    CANCELLED_TRAINING = "cancelled_training"
    CANCELLED_ADMIN = "cancelled_admin"


class NightKind(StrEnum):
    """Which kind of parade night a calendar question is about."""

    TRAINING = "training"
    ADMIN = "admin"


# §8.2 step 1 [REC]: `day_off` cancels both kinds, the others only their own kind.
_CANCELS: dict[NightKind, frozenset[ExceptionType]] = {
    NightKind.TRAINING: frozenset({ExceptionType.DAY_OFF, ExceptionType.CANCELLED_TRAINING}),
    NightKind.ADMIN: frozenset({ExceptionType.DAY_OFF, ExceptionType.CANCELLED_ADMIN}),
}


@dataclass(frozen=True, slots=True)
class HolidayRange:
    """An inclusive range of dates with no parade nights (e.g. the Christmas stand-down)."""

    start_on: date
    end_on: date
    name: str = ""


@dataclass(frozen=True, slots=True)
class DayException:
    """One date on which a kind of night is cancelled."""

    on: date
    type: ExceptionType


@dataclass(frozen=True, slots=True)
class Season:
    """The inclusive dates of a training year."""

    start_on: date
    end_on: date


@dataclass(frozen=True, slots=True)
class TrainingCalendar:
    """Everything that removes nights: exclusion ranges, day exceptions, active stat holidays.

    `seasons` are the training years: when given, a date outside all of them holds no night
    (the summer between training years). None means no training year is defined at all, and
    only the exclusions apply.
    """

    holiday_ranges: tuple[HolidayRange, ...] = ()
    day_exceptions: tuple[DayException, ...] = ()
    stat_holidays: frozenset[date] = frozenset()
    seasons: tuple[Season, ...] | None = None

    def merged(self, other: "TrainingCalendar") -> "TrainingCalendar":
        """Return a calendar that excludes what either calendar excludes, in either's seasons."""
        seasons = None
        if self.seasons is not None or other.seasons is not None:
            seasons = (self.seasons or ()) + (other.seasons or ())
        return TrainingCalendar(
            self.holiday_ranges + other.holiday_ranges,
            self.day_exceptions + other.day_exceptions,
            self.stat_holidays | other.stat_holidays,
            seasons,
        )


@dataclass(frozen=True, slots=True)
class NightWindow:
    """The attendance window of one night, as aware instants."""

    on: date
    start_at: datetime
    end_at: datetime

    @property
    def length_s(self) -> float:
        """Length of the window in seconds (differs from wall time on a DST night)."""
        return (self.end_at - self.start_at).total_seconds()


def is_excluded(on: date, calendar: TrainingCalendar, *, kind: NightKind) -> bool:
    """True when no night of `kind` is held on `on` (§8.2 step 1)."""
    if calendar.seasons is not None and not any(
        season.start_on <= on <= season.end_on for season in calendar.seasons
    ):
        return True
    if on in calendar.stat_holidays:
        return True
    if any(r.start_on <= on <= r.end_on for r in calendar.holiday_ranges):
        return True
    cancelling = _CANCELS[kind]
    return any(e.on == on and e.type in cancelling for e in calendar.day_exceptions)


def night_dates(
    start_on: date,
    end_on: date,
    *,
    weekdays: Iterable[Weekday],
    calendar: TrainingCalendar,
    kind: NightKind = NightKind.TRAINING,
) -> list[date]:
    """Return every date in `[start_on, end_on]` on one of `weekdays` that is not excluded."""
    wanted = {w.number for w in weekdays}
    nights: list[date] = []
    on = start_on
    while on <= end_on:
        if on.weekday() in wanted and not is_excluded(on, calendar, kind=kind):
            nights.append(on)
        on += timedelta(days=1)
    return nights


def night_window(on: date, *, start: time, end: time, tz: ZoneInfo, rollover: time) -> NightWindow:
    """Return the window of the night held on operational date `on`.

    Wall times before the rollover belong to the next calendar day (domain.md §1.8), so
    19:00-01:00 ends at 01:00 the next morning. Each night is resolved in `tz` on its own date,
    so the instants follow DST rather than a fixed UTC offset.
    """
    # Instants are kept in UTC: comparing them with check-ins (UTC) then needs no zone lookups.
    start_at = instant_on(on, start, tz=tz, rollover=rollover).astimezone(UTC)
    end_at = instant_on(on, end, tz=tz, rollover=rollover).astimezone(UTC)
    if end_at <= start_at:
        raise ValueError(f"night window {start}-{end} is empty on {on}")
    return NightWindow(on, start_at, end_at)


def night_windows(
    nights: Sequence[date], *, start: time, end: time, tz: ZoneInfo, rollover: time
) -> list[NightWindow]:
    """Return the window of each night, in the order given."""
    return [night_window(on, start=start, end=end, tz=tz, rollover=rollover) for on in nights]


def previous_period(start_on: date, end_on: date) -> tuple[date, date]:
    """Return the period of equal length that ends the day before `start_on` (§8.2 step 5)."""
    days = (end_on - start_on).days + 1
    return start_on - timedelta(days=days), start_on - timedelta(days=1)


def last_month(today: date) -> tuple[date, date]:
    """Return the calendar month before the one containing `today`."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def last_quarter(today: date) -> tuple[date, date]:
    """Return the calendar quarter before the one containing `today`."""
    quarter_start_month = 3 * ((today.month - 1) // 3) + 1
    end = today.replace(month=quarter_start_month, day=1) - timedelta(days=1)
    start = end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1)
    return start, end
