"""Database helpers for services: turn a unique violation into a 409."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import Conflict


async def flush_or_conflict(session: AsyncSession, code: str, message: str) -> None:
    """Flush pending changes; a constraint violation becomes `Conflict(code)`."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(code, message) from exc
