"""Visitor writes used by more than one edge."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def sign_out_by_badge_scan(
    session: AsyncSession, visits: Sequence[tuple[uuid.UUID | None, datetime]]
) -> None:
    """Sign out visitors whose temporary badge was tapped (domain.md §2.11 step 5)."""
    for visitor_id, at in visits:
        if visitor_id is None:
            continue
        await session.execute(
            text("UPDATE visitors SET check_out_at = :at WHERE id = :id AND check_out_at IS NULL"),
            {"id": visitor_id, "at": at},
        )
