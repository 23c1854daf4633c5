"""Request bodies of the report endpoints (and of `python -m tools.report`), domain.md §8."""

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, model_validator

from api.schemas.common import Body
from shared.domain.report_settings import SortOrder

# Dates a report may name: wide enough for any unit's records, narrow enough that a period
# cannot run the calendar arithmetic off the end of `date`.
MIN_DATE, MAX_DATE = date(1970, 1, 1), date(2100, 12, 31)
BoundedDate = Annotated[date, Field(ge=MIN_DATE, le=MAX_DATE)]
MAX_PERIOD_DAYS = 3 * 366
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL


class ReportType(StrEnum):
    """Every report, by its URL slug."""

    DAILY_CHECKIN = "daily-checkin"
    TRAINING_NIGHT_ATTENDANCE = "training-night-attendance"
    BMQ_ATTENDANCE = "bmq-attendance"
    PERSONNEL_ROSTER = "personnel-roster"
    VISITOR_SUMMARY = "visitor-summary"
    PRESENCE_OVER_TIME = "presence-over-time"
    LOCKUP_SUMMARY = "lockup-summary"


class OutputFormat(StrEnum):
    """What the caller gets back."""

    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


class Period(StrEnum):
    """Report period; all but `custom` are resolved against today (§8.1)."""

    CURRENT_YEAR = "current_year"
    LAST_QUARTER = "last_quarter"
    LAST_MONTH = "last_month"
    CUSTOM = "custom"


class OrganizationOption(StrEnum):
    """How members are grouped or selected (§8.1)."""

    FULL_UNIT = "full_unit"
    GROUPED_BY_DIVISION = "grouped_by_division"
    SEPARATED_BY_DIVISION = "separated_by_division"
    SPECIFIC_DIVISION = "specific_division"
    SPECIFIC_MEMBER = "specific_member"


class MemberTypeFilter(StrEnum):
    """Daily check-in filter: FT staff = class_b/class_c/reg_force, reserve = class_a."""

    ALL = "all"
    FT_STAFF = "ft_staff"
    RESERVE = "reserve"


class _Selection(Body):
    organization_option: OrganizationOption = OrganizationOption.FULL_UNIT
    division_id: UUID | None = None
    member_id: UUID | None = None

    @model_validator(mode="after")
    def _needs_target(self) -> "_Selection":
        if (
            self.organization_option is OrganizationOption.SPECIFIC_DIVISION
            and not self.division_id
        ):
            raise ValueError("specific_division needs division_id")
        if self.organization_option is OrganizationOption.SPECIFIC_MEMBER and not self.member_id:
            raise ValueError("specific_member needs member_id")
        return self


class TrainingNightRequest(_Selection):
    """Training-night attendance; unset options take the report settings' values."""

    period: Period = Period.CURRENT_YEAR
    period_start: BoundedDate | None = None
    period_end: BoundedDate | None = None
    include_ft_staff: bool | None = None
    show_bmq_badge: bool | None = None
    sort_order: SortOrder | None = None

    @model_validator(mode="after")
    def _custom_dates(self) -> "TrainingNightRequest":
        if self.period is Period.CUSTOM:
            if not (self.period_start and self.period_end):
                raise ValueError("a custom period needs period_start and period_end")
            if self.period_start > self.period_end:
                raise ValueError("period_start must not be after period_end")
            if (self.period_end - self.period_start).days > MAX_PERIOD_DAYS:
                raise ValueError("a custom period is at most three years")
        return self


class BmqRequest(_Selection):
    """BMQ attendance of one course."""

    course_id: UUID
    include_withdrawn: bool = False


class DailyCheckinRequest(Body):
    """Who came in on one operational day (default: today's)."""

    operational_date: BoundedDate | None = None
    division_id: UUID | None = None
    member_type: MemberTypeFilter = MemberTypeFilter.ALL


class RosterRequest(Body):
    """Active members, by seniority or name."""

    division_id: UUID | None = None
    sort_order: SortOrder = SortOrder.DIVISION_RANK


class VisitorSummaryRequest(Body):
    """Visits signed in between two operational dates (inclusive)."""

    start_date: BoundedDate
    end_date: BoundedDate
    visit_type: str | None = Field(default=None, max_length=50, pattern=NO_NUL)
    organization: str | None = Field(default=None, max_length=200, pattern=NO_NUL)

    @model_validator(mode="after")
    def _ordered(self) -> "VisitorSummaryRequest":
        if self.start_date > self.end_date:
            raise ValueError("start_date must not be after end_date")
        if (self.end_date - self.start_date).days > MAX_PERIOD_DAYS:
            raise ValueError("a visitor summary covers at most three years")
        return self


class PresenceOverTimeRequest(Body):
    """Occupancy per hour from the start of one operational day for `days` days."""

    start_date: BoundedDate | None = None
    days: int = Field(default=1, ge=1, le=31)


class LockupSummaryRequest(Body):
    """Lockup cycles and DDS between two operational dates (inclusive)."""

    start_date: BoundedDate
    end_date: BoundedDate

    @model_validator(mode="after")
    def _ordered(self) -> "LockupSummaryRequest":
        if self.start_date > self.end_date:
            raise ValueError("start_date must not be after end_date")
        if (self.end_date - self.start_date).days > 366:
            raise ValueError("a lockup summary covers at most one year")
        return self


ReportRequest = (
    TrainingNightRequest
    | BmqRequest
    | DailyCheckinRequest
    | RosterRequest
    | VisitorSummaryRequest
    | PresenceOverTimeRequest
    | LockupSummaryRequest
)
REQUESTS: dict[ReportType, type[Body]] = {
    ReportType.DAILY_CHECKIN: DailyCheckinRequest,
    ReportType.TRAINING_NIGHT_ATTENDANCE: TrainingNightRequest,
    ReportType.BMQ_ATTENDANCE: BmqRequest,
    ReportType.PERSONNEL_ROSTER: RosterRequest,
    ReportType.VISITOR_SUMMARY: VisitorSummaryRequest,
    ReportType.PRESENCE_OVER_TIME: PresenceOverTimeRequest,
    ReportType.LOCKUP_SUMMARY: LockupSummaryRequest,
}
