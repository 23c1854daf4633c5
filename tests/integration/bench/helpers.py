"""Helpers for the benchmark smoke tests: the session's PostgreSQL seen from sync tests.

The benchmarks' entry points run their own event loops (`asyncio.run`,
`shared.event_loop.run`), so their tests are plain functions; these helpers talk to the server
with a loop of their own.
"""

import asyncio

import asyncpg

from tests.fixtures.database import plain_dsn
from tests.fixtures.services import PostgresServer


async def _databases(server: PostgresServer) -> set[str]:
    conn = await asyncpg.connect(plain_dsn(server.admin_url), timeout=30)
    try:
        return {row[0] for row in await conn.fetch("SELECT datname FROM pg_database")}
    finally:
        await conn.close(timeout=10)


def databases(server: PostgresServer) -> set[str]:
    """Names of the databases on the server now."""
    return asyncio.run(_databases(server))
