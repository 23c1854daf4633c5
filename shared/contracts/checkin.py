"""`sentinel/v1/events/checkins`: one message per recorded check-in/out, any source."""

from uuid import UUID

from shared.contracts.base import Outbound, UtcTime
from shared.domain.checkin import Direction, Method


class CheckinEvent(Outbound):
    """A recorded check-in or check-out."""

    id: UUID
    member_id: UUID | None
    visitor_id: UUID | None = None
    display_name: str
    division: str | None
    direction: Direction
    at: UtcTime
    source: str
    method: Method
    device_id: str | None = None
    event_id: str | None = None
    replayed: bool = False
