"""Start-up database check shared by both services: reachable and migrated, or why not."""

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# The schema revision this code needs (migrations/versions; a test keeps it at the head). A
# database behind it would fail later and less clearly: the ingest's batch write, say, needs
# the row types of 0012.
SCHEMA_REVISION = "0014"


def describe_database(engine: AsyncEngine) -> str:
    """Return `host:port/db` of the engine's database, without credentials."""
    url = engine.url
    return f"{url.host}:{url.port or 5432}/{url.database}"


async def database_problem(engine: AsyncEngine, *, timeout_s: float = 10.0) -> str | None:
    """Return one line saying why the database cannot be used, or None when it can."""
    where = describe_database(engine)
    try:
        async with asyncio.timeout(timeout_s), engine.connect() as conn:
            migrated = await conn.scalar(text("SELECT to_regclass('public.alembic_version')"))
            revision = (
                await conn.scalar(text("SELECT max(version_num) FROM alembic_version"))
                if migrated is not None
                else None
            )
    except Exception as exc:  # any driver or OS error means "cannot reach"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot reach the database at {where}: {reason[:200]}"
    if migrated is None:
        return f"database {where} is not migrated: run `alembic upgrade head` first"
    if revision is None or revision < SCHEMA_REVISION:  # revisions are zero-padded numbers
        return (
            f"database {where} is at schema revision {revision or 'none'}, this version needs "
            f"{SCHEMA_REVISION}: run `alembic upgrade head` first"
        )
    return None
