"""Revision 0014: the outbox wakes the relay from a row trigger with a WHEN condition.

The rule is revision 0008's (only a row due at once notifies, once per transaction); what
changed is how: no function call and no transition table for the ingest's deferred rows.
Reversible to 0008's statement trigger, which keeps the same rule.
"""

import asyncio

import asyncpg
from alembic import command

from tests.fixtures.database import plain_dsn, run_migrations
from tests.integration.migrations.conftest import alembic_config

INSERT = (
    "INSERT INTO outbox (topic, payload, qos, retain, relay_after)"
    " SELECT 't/' || n, 'x', 1, false, now() + make_interval(secs => $1)"
    " FROM generate_series(1, $2) AS n"
)


async def _notified(dsn: str) -> list[str]:
    """Commit 3 deferred rows, then 2 due rows in one statement and 1 in another (one
    transaction); return the notifications heard."""
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(dsn)
    writer = await asyncpg.connect(dsn)
    try:
        await listener.add_listener("sentinel_outbox", lambda *args: heard.put_nowait(args[2]))
        await writer.execute(INSERT, 5.0, 3)  # the ingest's own rows: published by itself
        async with writer.transaction():  # the API's: due now, the relay must wake
            await writer.execute(INSERT, 0.0, 2)
            await writer.execute(INSERT, 0.0, 1)
        first = await asyncio.wait_for(heard.get(), timeout=10)
        # Notifications arrive in commit order: had the deferred rows notified, theirs would
        # have come first, and another would be waiting now.
        await listener.execute("SELECT 1")  # a round trip delivers pending notifications
        return [first, *(heard.get_nowait() for _ in range(heard.qsize()))]
    finally:
        await writer.close()
        await listener.close()


async def _trigger(dsn: str) -> tuple[bool, bool, bool]:
    """(fires per row, has a WHEN condition, keeps a transition table) of `outbox_notify`."""
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT tgtype, tgqual IS NOT NULL AS has_when, tgnewtable IS NOT NULL AS has_table"
            " FROM pg_trigger WHERE tgname = 'outbox_notify' AND tgrelid = 'outbox'::regclass"
        )
    finally:
        await conn.close()
    assert row is not None
    return bool(row["tgtype"] & 1), row["has_when"], row["has_table"]  # bit 0: FOR EACH ROW


async def test_due_rows_notify_once_deferred_rows_never_before_and_after_0014(
    empty_database: str,
) -> None:
    dsn = plain_dsn(empty_database)
    await asyncio.to_thread(run_migrations, empty_database, "head")
    assert await _trigger(dsn) == (True, True, False)
    assert await _notified(dsn) == ["sentinel_outbox"]
    await asyncio.to_thread(command.downgrade, alembic_config(empty_database), "0013")
    assert await _trigger(dsn) == (False, False, True)  # revision 0008's statement trigger
    assert await _notified(dsn) == ["sentinel_outbox"]
    await asyncio.to_thread(run_migrations, empty_database, "head")
    assert await _trigger(dsn) == (True, True, False)
