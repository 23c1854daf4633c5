"""The responsibility audit log: who took, passed or gave up DDS and lockup (domain.md §1.4)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import ResponsibilityLog


@dataclass(frozen=True, slots=True)
class Entry:
    """One responsibility change."""

    tag: str  # "DDS" or "Lockup"
    action: str
    on: date
    at: datetime
    member_id: uuid.UUID | None
    from_member_id: uuid.UUID | None = None
    to_member_id: uuid.UUID | None = None
    performed_by: uuid.UUID | None = None
    performed_by_type: str = "system"
    notes: str | None = None


async def record(session: AsyncSession, entries: Sequence[Entry]) -> None:
    """Insert entries in one statement."""
    if not entries:
        return
    await session.execute(
        insert(ResponsibilityLog),
        [
            {
                "member_id": e.member_id,
                "tag_name": e.tag,
                "action": e.action,
                "from_member_id": e.from_member_id,
                "to_member_id": e.to_member_id,
                "performed_by": e.performed_by,
                "performed_by_type": e.performed_by_type,
                "operational_date": e.on,
                "at": e.at,
                "notes": e.notes,
            }
            for e in entries
        ],
    )


async def entries(
    session: AsyncSession, *, tag: str, member_id: uuid.UUID | None, limit: int
) -> list[ResponsibilityLog]:
    """Return the newest entries of `tag` where the member is subject, giver or receiver."""
    stmt = select(ResponsibilityLog).where(ResponsibilityLog.tag_name == tag)
    if member_id is not None:
        stmt = stmt.where(
            or_(
                ResponsibilityLog.member_id == member_id,
                ResponsibilityLog.from_member_id == member_id,
                ResponsibilityLog.to_member_id == member_id,
            )
        )
    rows = await session.scalars(
        stmt.order_by(ResponsibilityLog.at.desc(), ResponsibilityLog.id).limit(limit)
    )
    return list(rows)


async def entries_on(session: AsyncSession, *, tag: str, on: date) -> list[ResponsibilityLog]:
    """Return the entries of `tag` for operational date `on`, oldest first."""
    rows = await session.scalars(
        select(ResponsibilityLog)
        .where(ResponsibilityLog.tag_name == tag, ResponsibilityLog.operational_date == on)
        .order_by(ResponsibilityLog.at, ResponsibilityLog.id)
    )
    return list(rows)
