"""Dead letters: messages that failed validation, with their reason (mqtt-contract.md)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import DeadLetter

MAX_STORED_PAYLOAD = 4096


@dataclass(frozen=True, slots=True)
class NewDeadLetter:
    """A refused message."""

    topic: str
    payload: bytes
    reason: str
    error: str
    received_at: datetime
    device_id: str | None = None


async def insert_dead_letters(session: AsyncSession, letters: Sequence[NewDeadLetter]) -> None:
    """Store dead letters; payloads are truncated to a bounded size, the size is kept."""
    if not letters:
        return
    await session.execute(
        insert(DeadLetter),
        [
            {
                "topic": d.topic[:1000],
                "payload": d.payload[:MAX_STORED_PAYLOAD],
                "payload_size": len(d.payload),
                "reason": d.reason,
                "error": d.error[:2000],
                "device_id": d.device_id,
                "received_at": d.received_at,
            }
            for d in letters
        ],
    )
