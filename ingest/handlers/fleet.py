"""Marks readers offline when silent for three heartbeat periods, and publishes their state."""

import asyncio
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.mqtt import BrokerLink
from shared.clock import Clock
from shared.contracts import topics
from shared.store import devices
from shared.store.outbox import Outgoing


async def check_silent_readers(
    link: BrokerLink,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    period_s: int,
) -> list[str]:
    """Mark readers unseen for 3 periods offline; publish their fleet topics; return ids."""
    async with sessionmaker.begin() as session:
        silent = await devices.mark_silent_offline(
            session, silent_since=clock.now() - timedelta(seconds=3 * period_s)
        )
        views = await devices.fleet_view(session, silent)
        online = await session.scalar(text("SELECT count(*) FROM devices WHERE online"))
    metrics.READERS_ONLINE.set(online or 0)
    await link.publish(
        [Outgoing(topics.fleet_reader(v.device_id), v.to_bytes(), 1, True) for v in views]
    )
    return silent


async def watch_silent_readers(
    link: BrokerLink,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    period_s: int,
) -> None:
    """Run the silent-reader check once per heartbeat period."""
    while True:
        await check_silent_readers(link, sessionmaker, clock, period_s=period_s)
        await asyncio.sleep(period_s)  # a schedule, not synchronisation
