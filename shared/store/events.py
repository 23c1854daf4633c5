"""Processed reader events: the idempotency record and stored decision per `event_id`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import ProcessedEvent


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


async def find_decisions(
    session: AsyncSession, event_ids: Sequence[str]
) -> dict[str, StoredDecision]:
    """Return event id → stored decision for the ids already processed."""
    if not event_ids:
        return {}
    rows = (
        await session.execute(select(ProcessedEvent).where(ProcessedEvent.event_id.in_(event_ids)))
    ).scalars()
    return {
        r.event_id: StoredDecision(
            r.event_id,
            r.device_id,
            r.result,
            r.reason,
            r.display,
            r.member_id,
            r.checkin_id,
            r.event_at,
            r.received_at,
            r.clock_suspect,
        )
        for r in rows
    }


async def insert_decisions(session: AsyncSession, decisions: Sequence[StoredDecision]) -> None:
    """Record decisions; a concurrent duplicate raises IntegrityError (the batch is retried)."""
    if not decisions:
        return
    await session.execute(
        insert(ProcessedEvent),
        [
            {
                "event_id": d.event_id,
                "device_id": d.device_id,
                "result": d.result,
                "reason": d.reason,
                "display": d.display,
                "member_id": d.member_id,
                "checkin_id": d.checkin_id,
                "event_at": d.event_at,
                "received_at": d.received_at,
                "clock_suspect": d.clock_suspect,
            }
            for d in decisions
        ],
    )
