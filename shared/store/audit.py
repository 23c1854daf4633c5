"""Audit log writes."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import AuditLog
from shared.logging import correlation_id


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One state change."""

    action: str
    entity_type: str
    entity_id: str | None
    actor_type: str = "system"
    actor_id: UUID | None = None
    details: dict[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None


async def record(session: AsyncSession, entries: Sequence[AuditEntry]) -> None:
    """Insert audit entries in one statement.

    An entry without a correlation id takes the one in force (the API request's id).
    """
    if not entries:
        return
    current = correlation_id.get()
    await session.execute(
        insert(AuditLog),
        [
            {
                "action": e.action,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "actor_type": e.actor_type,
                "actor_id": e.actor_id,
                "details": e.details,
                "correlation_id": e.correlation_id or current,
            }
            for e in entries
        ],
    )
