"""Bodies of the duty-role and weekly-schedule endpoints (domain.md §5.2)."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import Body, Out
from shared.domain.duty_watch import OverrideType


class PositionOut(Out):
    """A duty position."""

    id: UUID
    code: str
    name: str
    description: str | None
    max_slots: int
    display_order: int


class RoleOut(Out):
    """A duty role with its positions."""

    id: UUID
    code: str
    name: str
    description: str | None
    role_type: str
    display_order: int
    positions: list[PositionOut] = []


class AssignmentOut(Out):
    """A member on a weekly schedule."""

    id: UUID
    schedule_id: UUID
    duty_position_id: UUID | None
    member_id: UUID
    status: str
    confirmed_at: datetime | None
    released_at: datetime | None
    notes: str | None


class ScheduleOut(Out):
    """A weekly schedule."""

    id: UUID
    duty_role_id: UUID
    week_start_date: date
    status: str
    notes: str | None
    created_by: UUID | None
    published_by: UUID | None
    published_at: datetime | None
    assignments: list[AssignmentOut] = []


class SchedulePage(BaseModel):
    """One page of schedules."""

    items: list[ScheduleOut]
    total: int


class CreateSchedule(Body):
    """A new schedule; any date is snapped back to its Monday."""

    duty_role_code: str = Field(min_length=1, max_length=30)
    week_start_date: date
    notes: str | None = Field(default=None, max_length=1000)


class UpdateSchedule(Body):
    """Change a schedule's notes."""

    notes: str | None = Field(default=None, max_length=1000)


class AddAssignment(Body):
    """Put a member on a schedule (a position for team roles)."""

    member_id: UUID
    duty_position_id: UUID | None = None
    notes: str | None = Field(default=None, max_length=500)


class UpdateAssignment(Body):
    """Confirm or release an assignment, or change its notes."""

    status: Literal["assigned", "confirmed", "released"] | None = None
    notes: str | None = Field(default=None, max_length=500)


class OverrideOut(Out):
    """A Duty Watch night override."""

    id: UUID
    schedule_id: UUID
    night_date: date
    duty_position_id: UUID
    override_type: str
    member_id: UUID | None
    base_member_id: UUID | None
    notes: str | None


class CreateOverride(Body):
    """Replace, add or remove one person on one Duty Watch night."""

    night_date: date
    duty_position_id: UUID
    override_type: OverrideType
    member_id: UUID | None = None
    base_member_id: UUID | None = None
    notes: str | None = Field(default=None, max_length=500)
