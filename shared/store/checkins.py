"""Writing check-ins and reading member presence details."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import Checkin
from shared.domain.checkin import Direction, Method


@dataclass(frozen=True, slots=True)
class NewCheckin:
    """A check-in row to insert."""

    id: uuid.UUID
    at: datetime
    direction: Direction
    source: str
    method: Method
    member_id: uuid.UUID | None = None
    visitor_id: uuid.UUID | None = None
    badge_id: uuid.UUID | None = None
    device_id: str | None = None
    event_id: str | None = None
    clock_suspect: bool = False
    replayed: bool = False


async def insert_checkins(session: AsyncSession, rows: list[NewCheckin]) -> None:
    """Insert check-ins in one statement."""
    if not rows:
        return
    await session.execute(
        insert(Checkin),
        [
            {
                "id": r.id,
                "at": r.at,
                "direction": r.direction.value,
                "source": r.source,
                "method": r.method.value,
                "member_id": r.member_id,
                "visitor_id": r.visitor_id,
                "badge_id": r.badge_id,
                "device_id": r.device_id,
                "event_id": r.event_id,
                "clock_suspect": r.clock_suspect,
                "replayed": r.replayed,
            }
            for r in rows
        ],
    )
