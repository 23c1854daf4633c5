"""The transactional outbox: MQTT messages committed with the change they report."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import OutboxMessage
from shared.logging import correlation_id as current_correlation_id


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to publish after commit.

    `correlation_id` is stored on the outbox row and logged by the relay (MQTT 3.1.1 has no
    user properties, so it does not travel in the message); `enqueue` fills it from the
    running request's or job's `shared.logging.correlation_id` when it is None.
    """

    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """An outbox row read back for publishing."""

    id: int
    message: Outgoing


async def enqueue(
    session: AsyncSession, messages: Sequence[Outgoing], *, relay_delay_s: float = 0.0
) -> list[int]:
    """Add messages to the outbox in this transaction; return their ids in order.

    The relay publishes a row once it is committed and `relay_delay_s` old. The ingest passes a
    delay for rows it publishes itself right after commit, so the relay only picks them up if
    that did not happen (a crash or an outage); everyone else leaves it at 0.

    A message without a `correlation_id` gets the current one (`shared.logging.correlation_id`,
    e.g. the API request's `X-Correlation-ID`), so a change is traceable to what caused it.
    """
    if not messages:
        return []
    current = current_correlation_id.get()
    relay_after = func.now() + timedelta(seconds=relay_delay_s)
    statement = insert(OutboxMessage).values(relay_after=relay_after)
    result = await session.execute(
        statement.returning(OutboxMessage.id, sort_by_parameter_order=True),
        [
            {
                "topic": m.topic,
                "payload": m.payload,
                "qos": m.qos,
                "retain": m.retain,
                "correlation_id": m.correlation_id or current,
            }
            for m in messages
        ],
    )
    return list(result.scalars())


async def mark_published(session: AsyncSession, ids: Sequence[int]) -> None:
    """Mark outbox rows as published."""
    if ids:
        await session.execute(
            text("UPDATE outbox SET published_at = now() WHERE id = ANY(:ids)"), {"ids": list(ids)}
        )


async def claim_unpublished(session: AsyncSession, *, limit: int) -> list[QueuedMessage]:
    """Lock up to `limit` due, unpublished rows in id order (skipping rows others hold)."""
    rows = await session.execute(
        text(
            "SELECT id, topic, payload, qos, retain, correlation_id FROM outbox"
            " WHERE published_at IS NULL AND relay_after <= now()"
            " ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED"
        ),
        {"limit": limit},
    )
    return [
        QueuedMessage(r.id, Outgoing(r.topic, bytes(r.payload), r.qos, r.retain, r.correlation_id))
        for r in rows
    ]


async def purge_published(session: AsyncSession, *, older_than_s: float) -> int:
    """Delete published rows older than the given age; return how many."""
    result = await session.execute(
        text(
            "DELETE FROM outbox WHERE published_at IS NOT NULL"
            " AND published_at < now() - make_interval(secs => :age)"
        ),
        {"age": older_than_s},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
