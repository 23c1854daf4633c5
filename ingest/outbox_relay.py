"""Outbox relay: publishes committed outbox rows, woken by `NOTIFY sentinel_outbox`.

Rows written by the API and the jobs are due at once; rows the ingest publishes itself right
after commit become due only after a grace period, so the relay picks them up only when a crash
or an outage got in between (at-least-once, never lost). Rows are claimed with `SKIP LOCKED`,
so several ingest processes can relay side by side.
"""

import asyncio
import logging

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.dberrors import database_guard
from ingest.mqtt import BrokerLink
from shared.aio import wait_event
from shared.db.engine import driver_dsn
from shared.store import outbox

log = logging.getLogger(__name__)
BATCH = 500
KEEP_PUBLISHED_S = 24 * 3600.0
CHANNEL = "sentinel_outbox"


async def relay_once(link: BrokerLink, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Publish one batch of due rows in id order; return how many were published."""
    async with sessionmaker.begin() as session:
        claimed = await outbox.claim_unpublished(session, limit=BATCH)
        if not claimed:
            return 0
        await link.publish([c.message for c in claimed])
        await outbox.mark_published(session, [c.id for c in claimed])
    metrics.OUTBOX_RELAYED.inc(len(claimed))
    # One line per message: the row's correlation id (e.g. the API request's X-Correlation-ID)
    # does not travel in the MQTT 3.1.1 message, so this line ties the publish to its cause.
    for c in claimed:
        log.info(
            "outbox_message_relayed",
            extra={
                "correlation_id": c.message.correlation_id,
                "outbox_id": c.id,
                "topic": c.message.topic,
            },
        )
    return len(claimed)


async def run(
    link: BrokerLink,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    database_url: str,
    interval_s: float,
) -> None:
    """Relay whenever notified, and at least every `interval_s`; purge old published rows."""
    wake = asyncio.Event()
    async with database_guard():
        listener = await asyncpg.connect(driver_dsn(database_url))
    try:
        async with database_guard():
            await listener.add_listener(CHANNEL, lambda *_: wake.set())
        purge_every = max(1, int(600 / max(interval_s, 0.01)))
        rounds = 0
        while True:
            wake.clear()
            async with database_guard():
                while await relay_once(link, sessionmaker) == BATCH:
                    pass
                rounds += 1
                if rounds % purge_every == 0:
                    async with sessionmaker.begin() as session:
                        await outbox.purge_published(session, older_than_s=KEEP_PUBLISHED_S)
            await wait_event(wake, interval_s)
    finally:
        listener.terminate()
