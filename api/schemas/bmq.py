"""Bodies of the BMQ course and enrolment endpoints (domain.md §1.2)."""

from datetime import date, datetime, time
from enum import StrEnum
from uuid import UUID

from pydantic import Field, model_validator

from api.schemas.common import Body, Out
from api.schemas.reports import NO_NUL, BoundedDate
from shared.domain.training_calendar import Weekday


class EnrollmentStatus(StrEnum):
    """Where a member is on a course."""

    ENROLLED = "enrolled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


MAX_COURSE_DAYS = 366


class CourseOut(Out):
    """A BMQ course."""

    id: UUID
    name: str
    start_on: date
    end_on: date
    training_start: time
    training_end: time
    training_days: list[Weekday]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CourseCreate(Body):
    """A new course: start before end, times ordered, at least one training day."""

    name: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    start_on: BoundedDate
    end_on: BoundedDate
    training_start: time
    training_end: time
    training_days: list[Weekday] = Field(min_length=1, max_length=7)
    is_active: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> "CourseCreate":
        if self.start_on >= self.end_on:
            raise ValueError("start_on must be before end_on")
        if (self.end_on - self.start_on).days > MAX_COURSE_DAYS:
            raise ValueError("a course is at most one year long")
        if self.training_start >= self.training_end:
            raise ValueError("training_start must be before training_end")
        return self


class CourseUpdate(Body):
    """Changes to a course; the ordering rules are checked on the result."""

    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_NUL)
    start_on: BoundedDate | None = None
    end_on: BoundedDate | None = None
    training_start: time | None = None
    training_end: time | None = None
    training_days: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    is_active: bool | None = None


class EnrollmentOut(Out):
    """A member on a course."""

    id: UUID
    member_id: UUID
    course_id: UUID
    enrolled_at: datetime
    completed_at: datetime | None
    status: EnrollmentStatus


class EnrollmentCreate(Body):
    """Enrol a member (enrolled now unless given)."""

    member_id: UUID
    enrolled_at: datetime | None = None
    status: EnrollmentStatus = EnrollmentStatus.ENROLLED


class EnrollmentUpdate(Body):
    """Change an enrolment."""

    status: EnrollmentStatus | None = None
    enrolled_at: datetime | None = None
    completed_at: datetime | None = None
