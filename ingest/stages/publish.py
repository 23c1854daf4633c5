"""Publish stage: after the commit, ack the batch, answer readers, publish events and state."""

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.inbound import Inbound
from ingest.mqtt import BrokerLink
from ingest.outcome import BatchOutcome
from shared.clock import Clock
from shared.store import outbox

log = logging.getLogger(__name__)


async def publish_outcome(
    link: BrokerLink,
    sessionmaker: async_sessionmaker[AsyncSession],
    batch: Sequence[Inbound],
    outcome: BatchOutcome,
    *,
    clock: Clock,
) -> None:
    """Ack, then feedback first (the reader is waiting), then events and retained state."""
    link.ack(batch)
    await link.publish(outcome.feedback)
    if log.isEnabledFor(logging.DEBUG):
        for answer in outcome.feedback:
            log.debug(
                "feedback_published",
                extra={"correlation_id": answer.correlation_id, "topic": answer.topic},
            )
    now = clock.now()
    for message in batch:
        metrics.DECISION_SECONDS.observe((now - message.received_at).total_seconds())
    for tapped_at in outcome.tapped_at:
        metrics.TAP_TO_FEEDBACK_SECONDS.observe(max(0.0, (now - tapped_at).total_seconds()))
    await link.publish([*outcome.outbox, *outcome.retained])
    if outcome.outbox_ids:
        # A crash before this line leaves the rows for the relay: at-least-once, never lost.
        async with sessionmaker.begin() as session:
            await outbox.mark_published(session, outcome.outbox_ids)
    for result, count in outcome.results.items():
        metrics.SCANS.labels(result).inc(count)
    for reason, count in outcome.dead_letters.items():
        metrics.DEAD_LETTERS.labels(reason).inc(count)
        log.warning("dead_letter", extra={"reason": reason, "count": count})
    metrics.BATCH_SIZE.observe(len(batch))
