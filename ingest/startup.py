"""Start-up checks: fail fast with one clear line when the database or broker is unreachable."""

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.health import database_problem


class StartupError(Exception):
    """A dependency is unreachable at start; the process exits non-zero with this message."""


async def check_database(engine: AsyncEngine) -> None:
    """Raise StartupError when the database is unreachable or not migrated."""
    problem = await database_problem(engine)
    if problem:
        raise StartupError(problem)
