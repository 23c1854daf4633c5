"""Publish stage: after the commit, ack the batch, answer readers, publish events and state."""

import asyncio
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.dberrors import database_guard
from ingest.inbound import Inbound
from ingest.mqtt import BrokerLink
from ingest.outcome import BatchOutcome
from shared.clock import Clock
from shared.db.engine import autocommit_session
from shared.store import outbox

log = logging.getLogger(__name__)
MARK_EVERY_S = 0.5


async def send_outcome(
    link: BrokerLink, batch: Sequence[Inbound], outcome: BatchOutcome, *, ack: bool = True
) -> "asyncio.Future[None]":
    """Write feedback first (the reader is waiting), events and state; `ack` the batch first.

    Everything goes out in one write; `link.confirmed` on the result waits for the PUBACKs. The
    pipeline writes the next batch meanwhile, so a batch's round trip to the broker does not
    hold up the next one (`after_published` then does the rest, in the same order). A batch
    whose commit is not yet durable is acknowledged later (`ack=False`, `ingest.durability`).
    """
    if ack:
        link.ack(batch)
    return await link.send([*outcome.feedback, *outcome.outbox, *outcome.retained])


async def after_published(
    batch: Sequence[Inbound],
    outcome: BatchOutcome,
    *,
    clock: Clock,
    published: "asyncio.Queue[list[int]]",
    presence_changed: Callable[[], None] | None = None,
) -> None:
    """Once the broker acknowledged a batch's messages: counters, and what is due after.

    The ids of the outbox rows it carried are handed to `mark_published_rows` to be marked off
    the hot path. A batch that changed presence calls `presence_changed` (the summary is
    republished by `ingest.presence_summary`, coalesced).
    """
    if outcome.presence_changed and presence_changed is not None:
        presence_changed()
    now = clock.now()
    if log.isEnabledFor(logging.DEBUG):
        for answer in outcome.feedback:
            log.debug(
                "feedback_published",
                extra={"correlation_id": answer.correlation_id, "topic": answer.topic},
            )
    metrics.DECISION_SECONDS.observe_all((now - m.received_at).total_seconds() for m in batch)
    metrics.TAP_TO_FEEDBACK_SECONDS.observe_all(
        max(0.0, (now - tapped_at).total_seconds()) for tapped_at in outcome.tapped_at
    )
    if outcome.outbox_ids:
        await published.put(outcome.outbox_ids)
    for result, count in outcome.results.items():
        metrics.SCANS.labels(result).inc(count)
    for reason, count in outcome.dead_letters.items():
        metrics.DEAD_LETTERS.labels(reason).inc(count)
        log.warning("dead_letter", extra={"reason": reason, "count": count})
    metrics.BATCH_SIZE.observe(len(batch))


async def mark_published_rows(
    sessionmaker: async_sessionmaker[AsyncSession], published: "asyncio.Queue[list[int]]"
) -> None:
    """Mark published outbox rows, merging whatever queued up into one UPDATE.

    A crash before a row is marked leaves it to the relay after its grace period: the message
    may then be published twice (at-least-once), never lost. Marks are gathered for up to
    `MARK_EVERY_S` (well inside that grace) so a trickle of taps costs one UPDATE, not one each.
    """
    while True:
        ids = list(await published.get())
        await asyncio.sleep(MARK_EVERY_S)  # gathering, not synchronisation
        while not published.empty():
            ids.extend(published.get_nowait())
        async with database_guard(), autocommit_session(sessionmaker) as session:
            await outbox.mark_published(session, ids)
