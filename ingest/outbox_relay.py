"""Outbox relay: publishes committed outbox rows that the publish stage did not get to.

Rows are normally published right after their commit; only a crash or a broker outage leaves
some behind. The relay claims rows older than a grace period with `SKIP LOCKED`, so several
ingest processes can run it side by side.
"""

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.mqtt import BrokerLink
from shared.store import outbox

log = logging.getLogger(__name__)
GRACE_S = 2.0
BATCH = 500
KEEP_PUBLISHED_S = 24 * 3600.0


async def relay_once(link: BrokerLink, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Publish one batch of leftover rows; return how many were published."""
    async with sessionmaker.begin() as session:
        claimed = await outbox.claim_unpublished(session, older_than_s=GRACE_S, limit=BATCH)
        if not claimed:
            return 0
        await link.publish([c.message for c in claimed])
        await outbox.mark_published(session, [c.id for c in claimed])
    metrics.OUTBOX_RELAYED.inc(len(claimed))
    log.info("outbox_relayed", extra={"count": len(claimed)})
    return len(claimed)


async def run(
    link: BrokerLink, sessionmaker: async_sessionmaker[AsyncSession], *, interval_s: float
) -> None:
    """Relay forever; also purge rows published more than a day ago."""
    while True:
        while await relay_once(link, sessionmaker) == BATCH:
            pass
        async with sessionmaker.begin() as session:
            await outbox.purge_published(session, older_than_s=KEEP_PUBLISHED_S)
        await asyncio.sleep(interval_s)  # a polling period, not synchronisation
