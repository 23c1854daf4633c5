"""Apply stage: one transaction per micro-batch, nothing acknowledged before its commit.

A batch of scans is first applied optimistically (two statements, `batch_tx.OptimisticTx`);
one that needs a rarer path or lost a race with another writer is applied again in a locked
transaction. A batch that fails there for a reason other than a lost connection is retried one
message at a time; a message that still fails alone is dead-lettered with its error
(style.md §4).
"""

import asyncio
import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ingest import metrics
from ingest.dberrors import DatabaseUnavailable, is_connection_error, is_race, sqlstate
from ingest.handlers.readers import process_reader_messages
from ingest.inbound import Inbound
from ingest.outcome import BatchOutcome
from ingest.policy import IngestPolicy
from ingest.stages import scan_io
from ingest.stages.batch_tx import DriverLink, LockedTx, NeedsLock, OptimisticTx
from ingest.stages.mirror import ScanMirror
from ingest.stages.parse import Parsed, Refused, parse
from ingest.stages.scans import process_scans
from ingest.stages.turns import Turn
from shared.contracts import topics
from shared.contracts.feedback import Feedback
from shared.contracts.topics import ReaderTopic
from shared.domain.scan import RejectReason, ScanResult
from shared.store import dead_letters
from shared.store.outbox import Outgoing

log = logging.getLogger(__name__)
RACE_RETRIES = 3
UNIQUE_VIOLATION = "23505"
SERIALIZATION_FAILURE = "40001"  # the optimistic write's guard (`sentinel_conflict`)


async def apply_batch(
    engine: AsyncEngine,
    batch: Sequence[Inbound],
    *,
    now: datetime,
    policy: IngestPolicy,
    driver: DriverLink | None = None,
    mirror: ScanMirror | None = None,
    turn: Turn | None = None,
) -> BatchOutcome:
    """Apply a batch in one transaction; fall back to one message per transaction on error.

    With a `driver`, a batch of nothing but scans is tried optimistically first (decided from
    the `mirror` when it holds every input). With a `turn`, the batch may be decided while the
    batch before is being written, and touches the database only after it (`turns.py`).
    """
    try:
        outcome, as_decided = await _apply_batch(
            engine, batch, now=now, policy=policy, driver=driver, mirror=mirror, turn=turn
        )
    except BaseException as exc:
        if turn is not None:
            turn.fail(exc)
        raise
    if turn is not None:
        turn.finish(as_decided=as_decided)
    return outcome


async def _apply_batch(
    engine: AsyncEngine,
    batch: Sequence[Inbound],
    *,
    now: datetime,
    policy: IngestPolicy,
    driver: DriverLink | None,
    mirror: ScanMirror | None,
    turn: Turn | None,
) -> tuple[BatchOutcome, bool]:
    """The outcome, and True if it was committed optimistically, as first decided."""
    items = [parse(m, max_bytes=policy.max_payload_bytes) for m in batch]
    if driver is not None and all(
        isinstance(i, Parsed) and i.kind is ReaderTopic.SCAN for i in items
    ):
        outcome = await _apply_optimistic(
            driver, items, now=now, policy=policy, mirror=mirror, turn=turn
        )
        if outcome is not None:
            metrics.BATCHES.labels("optimistic").inc()
            return outcome, True
    if turn is not None:
        await turn.wait_previous()  # raises what the batch before failed with
    metrics.BATCHES.labels("locked").inc()
    try:
        outcome = await _apply_retrying(engine, items, now=now, policy=policy)
    except DatabaseUnavailable:
        raise
    except Exception:
        log.exception("batch_failed", extra={"size": len(batch)})
        outcome = await _apply_one_by_one(engine, items, now=now, policy=policy)
    if mirror is not None:
        mirror.forget(outcome.changed_members)
    return outcome, False


async def _apply_retrying(
    engine: AsyncEngine, items: list[Parsed | Refused], *, now: datetime, policy: IngestPolicy
) -> BatchOutcome:
    """Apply in one locked transaction, again when it lost a race with another writer.

    A race (another worker stored the same event, a deadlock) is never a reason to dead-letter
    a message: after RACE_RETRIES it is left unacknowledged (DatabaseUnavailable) for the
    broker to redeliver.
    """
    for attempt in range(RACE_RETRIES + 1):
        try:
            return await _apply(engine, items, now=now, policy=policy)
        except Exception as exc:
            if is_connection_error(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            if not is_race(exc):
                raise
            log.info("batch_raced", extra={"attempt": attempt + 1, "sqlstate": sqlstate(exc)})
    raise DatabaseUnavailable(f"still racing another writer after {RACE_RETRIES} retries")


async def _apply_optimistic(
    driver: DriverLink,
    items: list[Parsed | Refused],
    *,
    now: datetime,
    policy: IngestPolicy,
    mirror: ScanMirror | None,
    turn: Turn | None = None,
) -> BatchOutcome | None:
    """Apply scans with at most two statements and no transaction; None if it must be locked.

    Nothing is written unless the write statement succeeds as a whole, so giving up here
    leaves nothing to undo.
    """
    scans = [i for i in items if isinstance(i, Parsed)]
    outcome = BatchOutcome()
    tx: OptimisticTx | None = None
    try:
        tx = OptimisticTx(await driver.connection(), mirror, turn)
        await process_scans(tx, scans, now=now, policy=policy, outcome=outcome)
    except NeedsLock:
        metrics.OPTIMISTIC_FALLBACKS.labels("needs_lock").inc()
        return None
    except asyncio.CancelledError:
        # Cancelled mid-statement (a stop, a reconnect): the connection may still be busy with
        # it, and the next batch must not find it so. Whatever it committed is found again by
        # the redelivery's prefetch.
        driver.discard()
        if mirror is not None:
            mirror.clear()
        raise
    except Exception as exc:
        if tx is not None and exc is tx.inherited:
            raise  # the batch before failed: its error, handled where it happened
        if mirror is not None:
            _after_failed_write(mirror, exc, tx.members if tx is not None else ())
        if is_connection_error(exc):
            driver.discard()
            raise DatabaseUnavailable(str(exc)) from exc
        if tx is not None and tx.written:
            raise  # committed: applying it again would answer every scan as a redelivery
        if is_race(exc):
            # A state changed since the read, another worker stored one of these events, or a
            # deadlock: the locked retry decides from what the other writer committed.
            metrics.OPTIMISTIC_FALLBACKS.labels("conflict").inc()
            return None
        # Anything else is the locked path's to meet again, retry and dead-letter.
        log.warning("optimistic_batch_failed", exc_info=True, extra={"size": len(items)})
        metrics.OPTIMISTIC_FALLBACKS.labels("error").inc()
        return None
    return outcome


def _after_failed_write(
    mirror: ScanMirror, exc: BaseException, members: Iterable[uuid.UUID]
) -> None:
    """Drop from the mirror what the failed attempt shows may be stale.

    The batch's `members` always: the states it read, and the ones it put in the mirror ahead
    of a write that did not commit. A unique violation is a redelivery the mirror could not
    know about, and a changed member state concerns only the batch's members: the rest is
    still right. Anything else: everything.
    """
    mirror.forget(members)
    code = sqlstate(exc)
    if code == UNIQUE_VIOLATION:
        return
    if code == SERIALIZATION_FAILURE and scan_io.STATE_CONFLICT in str(exc):
        return
    mirror.clear()


async def _apply_one_by_one(
    engine: AsyncEngine,
    items: list[Parsed | Refused],
    *,
    now: datetime,
    policy: IngestPolicy,
) -> BatchOutcome:
    merged = BatchOutcome()
    for item in items:
        try:
            outcome = await _apply_retrying(engine, [item], now=now, policy=policy)
        except DatabaseUnavailable:
            raise
        except Exception as exc:
            log.exception("message_failed", extra={"topic": item.inbound.topic})
            poisoned = Refused(
                item.inbound,
                "processing_error",
                f"{type(exc).__name__}: {exc}",
                getattr(item, "device_id", None),
                getattr(item, "kind", None),
            )
            outcome = await _apply(engine, [poisoned], now=now, policy=policy)
        _merge(merged, outcome)
    return merged


def _merge(into: BatchOutcome, other: BatchOutcome) -> None:
    into.feedback.extend(other.feedback)
    into.queue_outbox(other.outbox_ids, other.outbox)
    into.retained.extend(other.retained)
    into.changed_members |= other.changed_members
    into.presence_changed |= other.presence_changed
    into.results.update(other.results)
    into.dead_letters.update(other.dead_letters)
    into.tapped_at.extend(other.tapped_at)


async def _apply(
    engine: AsyncEngine,
    items: list[Parsed | Refused],
    *,
    now: datetime,
    policy: IngestPolicy,
) -> BatchOutcome:
    outcome = BatchOutcome()
    scans = [i for i in items if isinstance(i, Parsed) and i.kind is ReaderTopic.SCAN]
    others = [i for i in items if isinstance(i, Parsed) and i.kind is not ReaderTopic.SCAN]
    refused = [i for i in items if isinstance(i, Refused) and i.reason != "empty_status"]
    async with engine.connect() as connection:
        tx = LockedTx(connection)
        try:
            async with connection.begin():
                await process_scans(tx, scans, now=now, policy=policy, outcome=outcome)
                if others:
                    await process_reader_messages(
                        tx.session, others, now=now, policy=policy, outcome=outcome
                    )
                if refused:
                    await _dead_letter(tx.session, refused, outcome)
                await tx.finish()
        finally:
            await tx.close()
    return outcome


async def _dead_letter(
    session: AsyncSession, refused: list[Refused], outcome: BatchOutcome
) -> None:
    await dead_letters.insert_dead_letters(
        session,
        [
            dead_letters.NewDeadLetter(
                topic=r.inbound.topic,
                payload=r.inbound.payload,
                reason=r.reason,
                error=r.error,
                received_at=r.inbound.received_at,
                device_id=r.device_id,
            )
            for r in refused
        ],
    )
    for r in refused:
        outcome.dead_letters[r.reason] += 1
        if r.device_id is not None and r.kind is ReaderTopic.SCAN:
            # The topic's device id is well-formed, so the reader can be told (mqtt-contract).
            answer = Feedback(result=ScanResult.ERROR, reason=RejectReason.INVALID_PAYLOAD.value)
            outcome.feedback.append(Outgoing(topics.feedback(r.device_id), answer.to_bytes()))
