"""Processed reader events: the idempotency record and stored decision per `event_id`."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """What was decided for an event; a redelivery is answered with it."""

    event_id: str
    device_id: str
    result: str
    reason: str | None
    display: str | None
    member_id: UUID | None
    checkin_id: UUID | None
    event_at: datetime
    received_at: datetime
    clock_suspect: bool = False
