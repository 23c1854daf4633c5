"""Republishes the retained presence summary after check-ins, coalesced off the hot path.

The summary counts every member, so computing it per batch costs each scan a scan of the
members table. Instead the publish stage marks it due; this task reads the committed state in
its own short transaction and publishes it, at most once per `min_interval_s`. A change made
while a summary is being built marks it due again, so the retained topic always ends on the
database's latest state.
"""

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest.dberrors import database_guard
from ingest.mqtt import BrokerLink
from shared.clock import Clock
from shared.contracts import topics
from shared.db.engine import autocommit_session
from shared.store import presence
from shared.store.outbox import Outgoing

log = logging.getLogger(__name__)


class SummaryPublisher:
    """Owns the `presence/summary` retained topic while the ingest runs."""

    def __init__(
        self,
        link: BrokerLink,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        min_interval_s: float = 0.5,
    ) -> None:
        self._link = link
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._min_interval_s = min_interval_s
        self._due = asyncio.Event()

    def mark_due(self) -> None:
        """Ask for a republish (cheap; called after every batch that changed presence)."""
        self._due.set()

    async def run(self) -> None:
        """Publish the summary whenever it is due, no more often than the interval."""
        while True:
            await self._due.wait()
            await self.flush()
            # Rate limit, not synchronisation: changes meanwhile are folded into the next one.
            await asyncio.sleep(self._min_interval_s)

    async def flush(self) -> None:
        """Publish now if due (also called on stop, so the last change is not left out)."""
        if not self._due.is_set():
            return
        self._due.clear()
        async with database_guard(), autocommit_session(self._sessionmaker) as session:
            summary = await presence.presence_summary(session, now=self._clock.now())
        await self._link.publish([Outgoing(topics.PRESENCE_SUMMARY, summary.to_bytes(), 1, True)])
