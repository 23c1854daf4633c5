"""`sentinel/v1/presence/...`: retained presence for dashboards."""

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import Outbound, UtcTime


class DivisionPresence(BaseModel):
    """Present/total active members of one division."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    present: int
    total: int


class PresenceSummary(Outbound):
    """`presence/summary`: who is in the building right now, in numbers."""

    total_present: int
    total_members: int
    visitors_present: int
    by_division: list[DivisionPresence]
    updated_at: UtcTime


class MemberPresence(Outbound):
    """`presence/members/{member_id}`: one member's state."""

    member_id: UUID
    state: Literal["in", "out"]
    since: UtcTime | None
    display_name: str
    division: str | None
