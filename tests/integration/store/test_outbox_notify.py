"""The outbox trigger wakes the relay only for rows that are due at once (migration 0008)."""

import asyncio

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.store.outbox import Outgoing, enqueue


async def test_notifies_for_due_rows_only(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await listener.add_listener("sentinel_outbox", lambda *args: heard.put_nowait(args[2]))
        async with sessionmaker.begin() as s:  # the ingest's own rows: published by itself
            await enqueue(s, [Outgoing("t/later", b"1")], relay_delay_s=5.0)
        async with sessionmaker.begin() as s:  # an API row: due now, the relay must wake
            await enqueue(s, [Outgoing("t/now", b"2"), Outgoing("t/now", b"3")])
        first = await asyncio.wait_for(heard.get(), timeout=10)
        # Notifications arrive in commit order: had the deferred batch notified, it would
        # have come first, and a second one would be waiting now.
        await listener.execute("SELECT 1")  # a round trip flushes pending notifications
    finally:
        await listener.close()
    assert first == "sentinel_outbox"
    assert heard.empty()
