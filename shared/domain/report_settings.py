"""Report settings: the five keys of domain.md §9 (plus `timeseries`), their defaults and rules.

Values are stored as JSON objects with the reference system's camelCase keys; `section_from_json`
fills missing keys with defaults and validates ranges, `section_to_json` writes them back.
Defaults where the repo has none are the [REC] values of §8.2 (warning 75 %, critical 50 %,
grace 4 weeks, minimum 3 nights).
"""

import dataclasses
import math
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import Any, TypeVar

from shared.domain.attendance import AttendancePolicy
from shared.domain.training_calendar import Weekday
from shared.errors import InvalidInput


class SettingKey(StrEnum):
    """The keys of `report_settings`."""

    SCHEDULE = "schedule"
    WORKING_HOURS = "working_hours"
    THRESHOLDS = "thresholds"
    MEMBER_HANDLING = "member_handling"
    FORMATTING = "formatting"
    TIMESERIES = "timeseries"


class SortOrder(StrEnum):
    """Row order of member lists."""

    DIVISION_RANK = "division_rank"
    RANK = "rank"
    ALPHABETICAL = "alphabetical"


class DateFormat(StrEnum):
    """How dates print in CSV and PDF output."""

    DD_MMM_YYYY = "DD MMM YYYY"
    ISO = "YYYY-MM-DD"
    MM_DD_YYYY = "MM/DD/YYYY"


class PageSize(StrEnum):
    """PDF paper size."""

    LETTER = "letter"
    A4 = "a4"


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """Training and admin nights; `minimumPresenceMinutes` is the §8.2 step 2 [REC] N."""

    training_night_day: Weekday = Weekday.TUESDAY
    training_night_start: time = time(19, 0)
    training_night_end: time = time(22, 0)
    admin_night_day: Weekday = Weekday.THURSDAY
    admin_night_start: time = time(19, 0)
    admin_night_end: time = time(22, 0)
    minimum_presence_minutes: int = field(default=60, metadata={"min": 1, "max": 720})


@dataclass(frozen=True, slots=True)
class WorkingHoursSettings:
    """Full-time staff working hours (stored for the reports that show them)."""

    regular_start: time = time(8, 0)
    regular_end: time = time(16, 0)


@dataclass(frozen=True, slots=True)
class ThresholdSettings:
    """Flag thresholds in percent; `trendStableBand` is in percentage points."""

    warning_threshold: float = field(default=75.0, metadata={"min": 0, "max": 100})
    critical_threshold: float = field(default=50.0, metadata={"min": 0, "max": 100})
    bmq_separate_thresholds: bool = False
    bmq_warning_threshold: float = field(default=75.0, metadata={"min": 0, "max": 100})
    bmq_critical_threshold: float = field(default=50.0, metadata={"min": 0, "max": 100})
    trend_stable_band: float = field(default=5.0, metadata={"min": 0, "max": 100})


@dataclass(frozen=True, slots=True)
class MemberHandlingSettings:
    """Who is counted and how: grace period in weeks, minimum nights, FT staff, badges."""

    new_member_grace_period: int = field(default=4, metadata={"min": 0, "max": 52})
    minimum_training_nights: int = field(default=3, metadata={"min": 1, "max": 20})
    include_ft_staff: bool = False
    show_bmq_badge: bool = True
    show_trend_indicators: bool = True


@dataclass(frozen=True, slots=True)
class FormattingSettings:
    """Output formatting (§8.2 step 7)."""

    default_sort_order: SortOrder = SortOrder.DIVISION_RANK
    show_service_number: bool = True
    date_format: DateFormat = DateFormat.DD_MMM_YYYY
    page_size: PageSize = PageSize.LETTER


@dataclass(frozen=True, slots=True)
class TimeseriesSettings:
    """TimescaleDB policies on `checkins`; null disables one. Ignored on plain PostgreSQL."""

    compress_after_days: int | None = field(default=30, metadata={"min": 1, "max": 3650})
    retention_days: int | None = field(default=None, metadata={"min": 30, "max": 36500})


Section = (
    ScheduleSettings
    | WorkingHoursSettings
    | ThresholdSettings
    | MemberHandlingSettings
    | FormattingSettings
    | TimeseriesSettings
)
_S = TypeVar("_S", bound=Section)
SECTIONS: dict[SettingKey, type[Section]] = {
    SettingKey.SCHEDULE: ScheduleSettings,
    SettingKey.WORKING_HOURS: WorkingHoursSettings,
    SettingKey.THRESHOLDS: ThresholdSettings,
    SettingKey.MEMBER_HANDLING: MemberHandlingSettings,
    SettingKey.FORMATTING: FormattingSettings,
    SettingKey.TIMESERIES: TimeseriesSettings,
}


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """All report settings, defaults where nothing is stored."""

    schedule: ScheduleSettings = ScheduleSettings()
    working_hours: WorkingHoursSettings = WorkingHoursSettings()
    thresholds: ThresholdSettings = ThresholdSettings()
    member_handling: MemberHandlingSettings = MemberHandlingSettings()
    formatting: FormattingSettings = FormattingSettings()
    timeseries: TimeseriesSettings = TimeseriesSettings()


def camel(name: str) -> str:
    """`training_night_day` → `trainingNightDay`."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _invalid(key: str, why: str) -> InvalidInput:
    return InvalidInput("invalid_setting", f"{key} {why}", {"field": key})


def _convert(key: str, kind: Any, raw: Any, meta: Mapping[str, Any]) -> Any:
    """Check and convert one stored JSON value to the field's type."""
    if isinstance(kind, types.UnionType):
        if raw is None:
            return None
        (kind,) = [arg for arg in kind.__args__ if arg is not type(None)]
    if kind is time:
        match = _HHMM.match(raw) if isinstance(raw, str) else None
        if not match:
            raise _invalid(key, "must be HH:MM")
        return time(int(match[1]), int(match[2]))
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        if not isinstance(raw, str) or raw not in {m.value for m in kind}:
            raise _invalid(key, f"must be one of {[m.value for m in kind]}")
        return kind(raw)
    if kind is bool:
        if not isinstance(raw, bool):
            raise _invalid(key, "must be true or false")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise _invalid(key, "must be a number")  # NaN and infinities too (`int(inf)` raises)
    if kind is int and raw != int(raw):
        raise _invalid(key, "must be a whole number")
    value = int(raw) if kind is int else float(raw)
    low, high = meta.get("min", value), meta.get("max", value)
    if not low <= value <= high:
        raise _invalid(key, f"must be between {low} and {high}")
    return value


def section_from_json(key: SettingKey, stored: dict[str, Any]) -> Section:
    """Build the section for `key` from stored JSON; unknown keys are refused."""
    cls = SECTIONS[key]
    fields = {camel(f.name): f for f in dataclasses.fields(cls)}
    unknown = set(stored) - set(fields)
    if unknown:
        raise InvalidInput(
            "invalid_setting",
            f"unknown {key} fields: {sorted(unknown)}",
            {"fields": sorted(unknown)},
        )
    values = {
        f.name: _convert(name, f.type, stored[name], f.metadata)
        for name, f in fields.items()
        if name in stored
    }
    section = cls(**values)
    check_section(section)
    return section


def check_section(section: Section) -> None:
    """Cross-field rules (§8.2 step 4: warning must be above critical; windows not empty)."""
    if isinstance(section, ThresholdSettings):
        pairs = [(section.warning_threshold, section.critical_threshold, "")]
        if section.bmq_separate_thresholds:
            pairs.append((section.bmq_warning_threshold, section.bmq_critical_threshold, "bmq "))
        for warning, critical, label in pairs:
            if warning <= critical:
                raise InvalidInput(
                    "invalid_setting", f"{label}warning threshold must be above critical"
                )
    if isinstance(section, ScheduleSettings):
        for start, end in [
            (section.training_night_start, section.training_night_end),
            (section.admin_night_start, section.admin_night_end),
        ]:
            if start == end:
                raise InvalidInput("invalid_setting", "a night window cannot be empty")


def section_to_json(section: Section) -> dict[str, Any]:
    """Serialise a section with camelCase keys, `HH:MM` times and enum values."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if isinstance(value, time):
            value = value.strftime("%H:%M")
        elif isinstance(value, StrEnum):
            value = value.value
        out[camel(f.name)] = value
    return out


def _load(stored: Mapping[str, dict[str, Any]], key: SettingKey, cls: type[_S]) -> _S:
    section = section_from_json(key, stored.get(key.value, {}))
    if not isinstance(section, cls):  # SECTIONS maps each key to its class
        raise TypeError(f"{key} is not a {cls.__name__}")
    return section


def settings_from_json(stored: Mapping[str, dict[str, Any]]) -> ReportSettings:
    """Build all settings from stored values by key; missing keys take their defaults."""
    return ReportSettings(
        schedule=_load(stored, SettingKey.SCHEDULE, ScheduleSettings),
        working_hours=_load(stored, SettingKey.WORKING_HOURS, WorkingHoursSettings),
        thresholds=_load(stored, SettingKey.THRESHOLDS, ThresholdSettings),
        member_handling=_load(stored, SettingKey.MEMBER_HANDLING, MemberHandlingSettings),
        formatting=_load(stored, SettingKey.FORMATTING, FormattingSettings),
        timeseries=_load(stored, SettingKey.TIMESERIES, TimeseriesSettings),
    )


def section_of(settings: ReportSettings, key: SettingKey) -> Section:
    """Return the section stored under `key`."""
    section: Section = getattr(settings, key.value)
    return section


def attendance_policy(settings: ReportSettings, *, bmq: bool = False) -> AttendancePolicy:
    """The engine's policy; BMQ uses its own thresholds when they are kept separate."""
    t = settings.thresholds
    separate = bmq and t.bmq_separate_thresholds
    return AttendancePolicy(
        warning_threshold=t.bmq_warning_threshold if separate else t.warning_threshold,
        critical_threshold=t.bmq_critical_threshold if separate else t.critical_threshold,
        minimum_presence_min=settings.schedule.minimum_presence_minutes,
        grace_weeks=settings.member_handling.new_member_grace_period,
        minimum_nights=settings.member_handling.minimum_training_nights,
        stable_band=t.trend_stable_band,
    )


_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def format_date(on: date, fmt: DateFormat) -> str:
    """Print a date the way the unit asked for (locale independent)."""
    if fmt is DateFormat.ISO:
        return on.isoformat()
    if fmt is DateFormat.MM_DD_YYYY:
        return f"{on.month:02d}/{on.day:02d}/{on.year}"
    return f"{on.day:02d} {_MONTHS[on.month - 1]} {on.year}"
