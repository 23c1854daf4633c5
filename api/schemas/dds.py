"""Bodies of the DDS endpoints (domain.md §5.6)."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import Body
from api.schemas.lockup import Person
from shared.domain.dds import DdsSource, DdsStatus
from shared.domain.responsibility import PromptVariant


class Handover(BaseModel):
    """The weekly DDS handover."""

    pending: bool
    first_operational_day: date
    outgoing: Person | None
    incoming: Person | None


class CurrentDds(BaseModel):
    """Who the DDS is today, and this and next week's schedule."""

    operational_date: date
    status: DdsStatus | None
    source: DdsSource
    dds: Person | None
    assignment_id: UUID | None
    accepted_at: datetime | None
    is_dds_on_site: bool
    scheduled: Person | None
    next_week: Person | None
    handover: Handover


class Notes(Body):
    """Optional notes for accept and release."""

    notes: str | None = Field(default=None, max_length=500)


class AssignDds(Body):
    """Set or assign today's DDS."""

    member_id: UUID
    notes: str | None = Field(default=None, max_length=500)


class TransferDds(Body):
    """Transfer today's DDS to another member."""

    to_member_id: UUID
    notes: str | None = Field(default=None, max_length=500)


class AuditEntry(BaseModel):
    """A DDS responsibility change."""

    id: UUID
    member_id: UUID | None
    action: str
    from_member_id: UUID | None
    to_member_id: UUID | None
    performed_by: UUID | None
    performed_by_type: str
    operational_date: date
    at: datetime
    notes: str | None


class KioskState(BaseModel):
    """The responsibility prompt for a member (domain.md §5.6 "kiosk-state")."""

    member_id: UUID
    needs_dds: bool
    needs_building_open: bool
    should_prompt: bool
    is_first_member_checkin: bool
    can_accept_dds: bool
    can_open_building: bool
    expected_dds: Person | None
    matches_scanned_member: bool
    prompt_variant: PromptVariant
    current_lockup_holder: Person | None
    present_members: int
    present_visitor_count: int
