"""Bodies of the presence endpoint."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel


class DivisionCount(BaseModel):
    """Present/total active members in a division."""

    code: str
    name: str
    present: int
    total: int


class PresentPerson(BaseModel):
    """A member in the building."""

    member_id: UUID
    display_name: str
    rank: str
    division: str | None
    since: datetime


class PresenceResponse(BaseModel):
    """Who is in the building: the summary and the list."""

    total_present: int
    total_members: int
    visitors_present: int
    by_division: list[DivisionCount]
    present: list[PresentPerson]
    updated_at: datetime
