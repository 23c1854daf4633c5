"""Bodies of the Duty Watch endpoints: tonight's roster, live coverage, rules (§5.3–§5.5)."""

from datetime import date, datetime, time
from typing import Self
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import Body, Out
from api.schemas.lockup import Person
from shared.domain.duty_watch import Ordinal, Recurrence


class Cover(BaseModel):
    """Live coverage attached to a roster line."""

    assignment_id: UUID
    started_at: datetime
    member: Person


class RosterLine(BaseModel):
    """One line of tonight's team."""

    position_id: UUID | None
    position_code: str | None
    member: Person
    source: str
    status: str
    assignment_id: UUID | None
    is_checked_in: bool
    live_coverage: Cover | None


class Tonight(BaseModel):
    """Tonight's Duty Watch (the operational date's)."""

    operational_date: date
    week_start_date: date
    is_duty_watch_night: bool
    start_time: time | None
    end_time: time | None
    schedule_id: UUID | None
    team: list[RosterLine]


class LiveOut(Out):
    """Active or ended live coverage."""

    id: UUID
    member_id: UUID
    duty_position_id: UUID
    notes: str | None
    started_at: datetime
    ended_at: datetime | None
    ended_reason: str | None


class StartCover(Body):
    """A present, qualified member covers a Duty Watch position now."""

    member_id: UUID
    duty_position_id: UUID
    notes: str | None = Field(default=None, max_length=500)


class RuleOut(Out):
    """A Duty Watch rule."""

    id: UUID
    name: str
    effective_start_date: date
    start_time: time
    end_time: time
    recurrence: Recurrence
    weekday: int
    interval_weeks: int
    ordinal: Ordinal | None
    is_active: bool


class RuleIn(Body):
    """A new or replaced Duty Watch rule."""

    name: str = Field(min_length=1, max_length=100)
    effective_start_date: date
    start_time: time
    end_time: time
    recurrence: Recurrence
    weekday: int = Field(ge=1, le=7)
    interval_weeks: int = Field(default=1, ge=1, le=52)
    ordinal: Ordinal | None = None
    is_active: bool = True

    @model_validator(mode="after")
    def _monthly_needs_ordinal(self) -> Self:
        if self.recurrence is Recurrence.MONTHLY_NTH_WEEKDAY and self.ordinal is None:
            raise ValueError("a monthly_nth_weekday rule needs an ordinal")
        return self
