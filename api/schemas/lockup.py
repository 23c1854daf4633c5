"""Bodies of the lockup endpoints (domain.md §6)."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import Body
from shared.domain.lockup import BuildingStatus, TransferReason


class Person(BaseModel):
    """A member named in a response."""

    member_id: UUID
    display_name: str


class LockupStatus(BaseModel):
    """The current (or a date's latest) lockup cycle."""

    operational_date: date | None
    building_status: BuildingStatus
    holder: Person | None
    since: datetime | None
    cycle_id: UUID | None
    opened_by: Person | None
    opened_at: datetime | None
    secured_by: Person | None
    secured_at: datetime | None


class ActFor(Body):
    """Acquire or open: for yourself, or (Admin) for `member_id`."""

    member_id: UUID | None = None
    notes: str | None = Field(default=None, max_length=500)


class TransferLockup(Body):
    """Hand lockup to a present member with lockup authority."""

    to_member_id: UUID
    reason: TransferReason = TransferReason.MANUAL
    notes: str | None = Field(default=None, max_length=500)


class ExecuteLockup(Body):
    """Check everyone out and secure the building."""

    notes: str | None = Field(default=None, max_length=500)


class CheckedOut(BaseModel):
    """Someone a lockup execution checked out."""

    id: UUID
    name: str


class Execution(BaseModel):
    """What a lockup execution did."""

    id: UUID
    members_checked_out: list[CheckedOut]
    visitors_checked_out: list[CheckedOut]
    total_checked_out: int
    status: LockupStatus


class CheckoutOptions(BaseModel):
    """Whether a member may check out now, and what the holder can do instead (§6.2)."""

    member_id: UUID
    holds_lockup: bool
    can_checkout: bool
    block_reason: str | None
    available_options: list[str]
    eligible_recipients: list[Person]


class HistoryItem(BaseModel):
    """A transfer or an execution."""

    kind: str
    id: UUID
    at: datetime
    operational_date: date
    from_member_id: UUID | None
    to_member_id: UUID | None
    reason: str | None
    total_checked_out: int | None
    notes: str | None


class History(BaseModel):
    """One page of lockup history, newest first."""

    items: list[HistoryItem]
    total: int
    has_more: bool


class PresentMember(BaseModel):
    """A member still in the building."""

    member_id: UUID
    display_name: str
    rank: str
    division: str | None
    since: datetime


class PresentVisitor(BaseModel):
    """A visitor still in the building."""

    id: UUID
    display_name: str
    organization: str | None
    check_in_at: datetime


class Present(BaseModel):
    """Who a lockup execution would check out."""

    members: list[PresentMember]
    visitors: list[PresentVisitor]
    total_count: int
