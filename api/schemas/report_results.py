"""Response bodies of the report endpoints; CSV and PDF are rendered from the same models."""

from datetime import date, datetime, time
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.domain.attendance import AttendanceFlag, AttendanceStatus, Trend


class Result(BaseModel):
    """Base of every report shape."""

    model_config = ConfigDict(frozen=True)


class PeriodOut(Result):
    """A date range, inclusive."""

    start_on: date
    end_on: date
    label: str


class MemberRef(Result):
    """The member columns every member report shares."""

    member_id: UUID
    service_number: str
    rank: str
    rank_order: int
    display_name: str
    last_name: str
    first_name: str
    division_code: str | None
    division_name: str | None
    member_type: str


class NightOut(Result):
    """One night of a member's record."""

    on: date
    attended: bool


class AttendanceRow(MemberRef):
    """A member's attendance (§8.2): percentage is rounded to one decimal."""

    joined_on: date
    attended: int
    possible: int
    percentage: float | None
    status: AttendanceStatus
    flag: AttendanceFlag
    trend: Trend
    delta: float | None
    bmq_enrolled: bool
    nights: list[NightOut] | None = None


class AttendanceSummary(Result):
    """Totals over a set of members; `average_percentage` is over calculated members."""

    members: int
    calculated: int
    new: int
    insufficient_data: int
    average_percentage: float | None
    attendance_rate: float | None
    warning: int
    critical: int
    trending_down: int


class DivisionAttendance(Result):
    """A division's summary."""

    division_code: str | None
    division_name: str
    summary: AttendanceSummary


class NightTurnout(Result):
    """How many eligible members attended one night."""

    on: date
    attended: int
    eligible: int
    percentage: float | None


class Thresholds(Result):
    """The thresholds and window the report was computed with."""

    warning: float
    critical: float
    minimum_presence_minutes: int
    window_start: time
    window_end: time
    weekdays: list[str]


class TrainingNightReport(Result):
    """Training-night attendance (and BMQ attendance, which has the same shape)."""

    report: Literal["training-night-attendance", "bmq-attendance"]
    title: str
    generated_at: datetime
    period: PeriodOut
    previous_period: PeriodOut | None
    organization_option: str
    thresholds: Thresholds
    nights: list[NightTurnout]
    summary: AttendanceSummary
    divisions: list[DivisionAttendance]
    members: list[AttendanceRow]


class DailyRow(MemberRef):
    """A member on one operational day."""

    present: bool
    first_in_at: datetime | None
    last_out_at: datetime | None


class DivisionDaily(Result):
    """Present counts of one division."""

    division_code: str | None
    division_name: str
    ft_present: int
    ft_total: int
    reserve_present: int
    reserve_total: int


class DailyCheckinReport(Result):
    """FT staff present and absent and reserve present on one operational day (§8.1)."""

    report: Literal["daily-checkin"] = "daily-checkin"
    title: str
    generated_at: datetime
    operational_date: date
    ft_present: list[DailyRow]
    ft_absent: list[DailyRow]
    reserve_present: list[DailyRow]
    divisions: list[DivisionDaily]


class RosterRow(MemberRef):
    """A roster line."""

    initials: str
    status: str
    badge_serial: str | None
    email: str | None
    phone: str | None


class RosterReport(Result):
    """The personnel roster, senior first within each group."""

    report: Literal["personnel-roster"] = "personnel-roster"
    title: str
    generated_at: datetime
    sort_order: str
    members: list[RosterRow]


class VisitOut(Result):
    """A visit."""

    visitor_id: UUID
    display_name: str
    organization: str | None
    visit_type: str
    visit_reason: str | None
    host_name: str | None
    check_in_at: datetime
    check_out_at: datetime | None


class Count(Result):
    """A labelled count."""

    label: str
    count: int


class VisitorSummaryReport(Result):
    """Visits in a date range with counts by type and organisation."""

    report: Literal["visitor-summary"] = "visitor-summary"
    title: str
    generated_at: datetime
    period: PeriodOut
    total: int
    by_type: list[Count]
    by_organization: list[Count]
    visits: list[VisitOut]


class HourOut(Result):
    """One hour: member flows and who was in at its end."""

    bucket_at: datetime
    local_label: str
    arrivals: int
    departures: int
    members_present: int
    visitors_present: int


class DayOccupancy(Result):
    """An operational day's arrivals and peak."""

    operational_date: date
    arrivals: int
    peak_members: int
    peak_at: datetime | None


class PresenceOverTimeReport(Result):
    """Occupancy per hour, read from the `checkin_hourly` aggregate."""

    report: Literal["presence-over-time"] = "presence-over-time"
    title: str
    generated_at: datetime
    period: PeriodOut
    aggregate_path: str
    hours: list[HourOut]
    days: list[DayOccupancy]


class LockupCycleOut(Result):
    """One lockup cycle of an operational day."""

    operational_date: date
    building_status: str
    holder: str | None
    acquired_at: datetime | None
    secured_at: datetime | None
    secured_by: str | None
    members_checked_out: int | None


class DdsDayOut(Result):
    """The live DDS of one operational day."""

    operational_date: date
    member: str | None
    status: str
    accepted_at: datetime | None


class LockupSummaryReport(Result):
    """Lockup cycles and DDS per operational day."""

    report: Literal["lockup-summary"] = "lockup-summary"
    title: str
    generated_at: datetime
    period: PeriodOut
    cycles: list[LockupCycleOut]
    dds: list[DdsDayOut]
    days_not_secured: list[date]


ReportResult = (
    TrainingNightReport
    | DailyCheckinReport
    | RosterReport
    | VisitorSummaryReport
    | PresenceOverTimeReport
    | LockupSummaryReport
)
