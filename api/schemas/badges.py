"""Bodies of the badge endpoints."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from api.schemas.common import Body, Out
from shared.domain.scan import AssignmentType, BadgeStatus


class BadgeOut(Out):
    """A badge with its holder."""

    id: UUID
    serial_number: str
    assignment_type: str
    status: str
    member_id: UUID | None
    member_display_name: str | None
    visitor_id: UUID | None
    created_at: datetime
    updated_at: datetime


class BadgeCreate(Body):
    """A new badge: its UID as hex (separators allowed); always created unassigned."""

    serial_number: str = Field(min_length=1, max_length=100)
    status: BadgeStatus = BadgeStatus.ACTIVE
    for_visitors: bool = False


class BadgeUpdate(Body):
    """Badge fields to change; `decommissioned` also unassigns it."""

    serial_number: str | None = Field(default=None, min_length=1, max_length=100)
    status: BadgeStatus | None = None


class BadgeAssign(Body):
    """The member to give the badge to."""

    member_id: UUID


class BadgeSort(StrEnum):
    """Sort keys of the badge list."""

    SERIAL_NUMBER = "serial_number"
    CREATED_AT = "created_at"
    STATUS = "status"


__all__ = ["AssignmentType", "BadgeAssign", "BadgeCreate", "BadgeOut", "BadgeSort", "BadgeUpdate"]
