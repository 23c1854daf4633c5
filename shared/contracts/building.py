"""`sentinel/v1/building/...`: retained lockup and DDS state, and building events.

`building/lockup` and `building/dds` are retained and always reflect the database after every
change; `building/events/{kind}` carries one non-retained message per responsibility event.
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import Outbound, UtcTime
from shared.domain.dds import DdsSource, DdsStatus
from shared.domain.lockup import BuildingStatus
from shared.domain.responsibility import PromptVariant


class MemberRef(BaseModel):
    """A member named in a building message."""

    model_config = ConfigDict(frozen=True)

    member_id: UUID
    display_name: str


class LockupState(Outbound):
    """`building/lockup` (retained): the current cycle's building status and holder."""

    operational_date: date | None
    building_status: BuildingStatus
    holder: MemberRef | None
    since: UtcTime | None
    cycle_id: UUID | None
    opened_by: MemberRef | None = None
    opened_at: UtcTime | None = None
    secured_by: MemberRef | None = None
    secured_at: UtcTime | None = None
    updated_at: UtcTime


class DdsHandover(BaseModel):
    """The weekly DDS handover (domain.md §5.6)."""

    model_config = ConfigDict(frozen=True)

    pending: bool
    first_operational_day: date
    outgoing: MemberRef | None
    incoming: MemberRef | None


class DdsState(Outbound):
    """`building/dds` (retained): who the DDS is now, this week's and next week's schedule."""

    operational_date: date
    status: DdsStatus | None
    source: DdsSource
    dds: MemberRef | None
    assignment_id: UUID | None
    accepted_at: UtcTime | None
    scheduled: MemberRef | None
    next_week: MemberRef | None
    handover: DdsHandover
    updated_at: UtcTime


class BuildingEventKind(StrEnum):
    """The `{kind}` of `building/events/{kind}`."""

    RESPONSIBILITY_NEEDED = "responsibility_needed"
    LOCKUP_HELD = "lockup_held"
    LOCKUP_ACQUIRED = "lockup_acquired"
    BUILDING_OPENED = "building_opened"
    LOCKUP_TRANSFERRED = "lockup_transferred"
    LOCKUP_EXECUTED = "lockup_executed"
    DDS_ACCEPTED = "dds_accepted"
    DDS_ASSIGNED = "dds_assigned"
    DDS_TRANSFERRED = "dds_transferred"
    DDS_RELEASED = "dds_released"
    DAY_ROLLED_OVER = "day_rolled_over"


class ResponsibilityNeeded(Outbound):
    """`building/events/responsibility_needed`: someone checked in and a duty is outstanding.

    Sent after a member checks in while the building is secured or no DDS has accepted; a
    kiosk or paired display offers them the responsibility (domain.md §5.6).
    """

    kind: BuildingEventKind = BuildingEventKind.RESPONSIBILITY_NEEDED
    at: UtcTime
    operational_date: date
    member: MemberRef
    device_id: str | None
    event_id: str | None
    needs_dds: bool
    needs_building_open: bool
    is_first_member: bool
    can_accept_dds: bool
    can_open_building: bool
    expected_dds: MemberRef | None
    prompt_variant: PromptVariant


class LockupHeld(Outbound):
    """`building/events/lockup_held`: the holder tapped out and was refused (domain.md §6.3)."""

    kind: BuildingEventKind = BuildingEventKind.LOCKUP_HELD
    at: UtcTime
    operational_date: date
    member: MemberRef
    device_id: str | None
    event_id: str | None
    available_options: list[str]
    eligible_recipients: list[MemberRef]


class BuildingChange(Outbound):
    """`building/events/{kind}` for lockup and DDS changes and the daily rollover."""

    kind: BuildingEventKind
    at: UtcTime
    operational_date: date
    member: MemberRef | None = None
    from_member: MemberRef | None = None
    to_member: MemberRef | None = None
    performed_by: UUID | None = None
    reason: str | None = None
    members_checked_out: int | None = None
    visitors_checked_out: int | None = None
    notes: str | None = None
