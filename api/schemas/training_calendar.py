"""Bodies of the training-year and stat-holiday endpoints (domain.md §1.6, §9)."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import Body, Out
from api.schemas.reports import NO_NUL, BoundedDate
from shared.domain.training_calendar import ExceptionType


class HolidayExclusion(BaseModel):
    """An inclusive date range without training nights."""

    start: BoundedDate
    end: BoundedDate
    name: str = Field(default="", max_length=100, pattern=NO_NUL)

    @model_validator(mode="after")
    def _ordered(self) -> "HolidayExclusion":
        if self.start > self.end:
            raise ValueError("a holiday exclusion must not end before it starts")
        return self


class DayExceptionIn(BaseModel):
    """A date on which a kind of night is cancelled."""

    date: BoundedDate
    type: ExceptionType


MAX_YEAR_DAYS = 2 * 366


class TrainingYearOut(Out):
    """A training year."""

    id: UUID
    name: str
    start_on: date
    end_on: date
    holiday_exclusions: list[HolidayExclusion]
    day_exceptions: list[DayExceptionIn]
    is_current: bool
    created_at: datetime
    updated_at: datetime


class _YearFields(Body):
    @model_validator(mode="after")
    def _inside(self) -> "_YearFields":
        start, end = getattr(self, "start_on", None), getattr(self, "end_on", None)
        if start and end and start > end:
            raise ValueError("start_on must not be after end_on")
        if start and end and (end - start).days > MAX_YEAR_DAYS:
            raise ValueError("a training year is at most two years long")
        return self


class TrainingYearCreate(_YearFields):
    """A new training year."""

    name: str = Field(min_length=1, max_length=50, pattern=NO_NUL)
    start_on: BoundedDate
    end_on: BoundedDate
    holiday_exclusions: list[HolidayExclusion] = Field(default_factory=list, max_length=100)
    day_exceptions: list[DayExceptionIn] = Field(default_factory=list, max_length=400)
    is_current: bool = False


class TrainingYearUpdate(_YearFields):
    """Changes to a training year; unset fields stay."""

    name: str | None = Field(default=None, min_length=1, max_length=50, pattern=NO_NUL)
    start_on: BoundedDate | None = None
    end_on: BoundedDate | None = None
    holiday_exclusions: list[HolidayExclusion] | None = Field(default=None, max_length=100)
    day_exceptions: list[DayExceptionIn] | None = Field(default=None, max_length=400)
    is_current: bool | None = None


class StatHolidayOut(Out):
    """A stat holiday."""

    id: UUID
    holiday_on: date
    name: str
    province: str | None
    is_active: bool


class StatHolidayCreate(Body):
    """A new stat holiday."""

    holiday_on: date
    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    province: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    is_active: bool = True


class StatHolidayUpdate(Body):
    """Changes to a stat holiday."""

    holiday_on: date | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=NO_NUL)
    province: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    is_active: bool | None = None


class StatHolidayCheck(BaseModel):
    """Whether a date is an active stat holiday."""

    date: date
    is_holiday: bool
    holiday: StatHolidayOut | None
