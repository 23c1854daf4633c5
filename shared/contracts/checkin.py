"""`sentinel/v1/events/checkins`: one message per recorded check-in/out, any source."""

from uuid import UUID

from shared.contracts.base import Outbound, UtcTime
from shared.domain.checkin import Direction, Method


class CheckinEvent(Outbound):
    """A recorded check-in or check-out.

    `corrected` marks a check-in published again with the same `id` because its direction
    changed: a member's earlier tap was decided after it (another door's reader, another ingest
    worker, a replayed outbox), so the later check-ins were realigned. It replaces the first.
    """

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
    corrected: bool = False
