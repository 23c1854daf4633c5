"""Ingest wiring: the supervisor loop and the pipeline tasks in one TaskGroup (style.md §4)."""

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ingest import metrics, mqtt, outbox_relay
from ingest.dberrors import DatabaseUnavailable, database_guard
from ingest.durability import WalFlusher
from ingest.handlers.fleet import FleetPolicy, watch_readers
from ingest.inbound import Inbound
from ingest.jobs import scheduler
from ingest.mqtt import BrokerLink, BrokerUnavailable, Subscription
from ingest.outcome import BatchOutcome
from ingest.policy import IngestPolicy, policy_from
from ingest.presence_summary import SummaryPublisher
from ingest.stages import mirror, scan_io
from ingest.stages.apply import apply_batch
from ingest.stages.batch_tx import DriverLink, OptimisticTx
from ingest.stages.mirror import ScanMirror
from ingest.stages.publish import after_published, mark_published_rows, send_outcome
from ingest.stages.turns import Turn
from ingest.startup import StartupError, check_database
from shared.aio import wait_event
from shared.clock import Clock, SystemClock
from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from shared.db.engine import make_engine, make_sessionmaker
from shared.domain.opday import operational_date
from shared.services.checkin_writes import presence_messages
from shared.settings import Settings

log = logging.getLogger(__name__)
BACKOFF_MAX_S = 30.0
# While the database is away each retry reconnects to the broker, which resends the unacked
# messages; a database back from an outage is picked up within this many seconds.
DATABASE_BACKOFF_MAX_S = 5.0
STOP_DRAIN_S = 5.0  # how long a stop waits for the batches in hand to be published
# Batches written to the broker and still awaiting their flush and PUBACKs, at most: room for
# the batches of a few milliseconds at a thousand taps a second (`durability.FLUSH_EVERY_S`),
# so publishing the next batch's answers does not wait for an earlier batch's acknowledgements.
CONFIRM_AHEAD = 32


class _Stopping(Exception):
    """Raised inside the task group to end it when a stop was requested."""


@dataclass
class Runtime:
    """What the pipeline tasks share."""

    settings: Settings
    policy: IngestPolicy
    clock: Clock
    sessionmaker: async_sessionmaker[AsyncSession]
    batches: AsyncEngine  # the locked batch transactions' own pool
    driver: DriverLink  # the optimistic batches' connection
    mirror: ScanMirror | None  # what earlier reads said (a single worker only)
    flusher: WalFlusher | None  # with fast batch commits: flushes them before the acks


def subscriptions(settings: Settings) -> list[Subscription]:
    """One subscription per reader topic kind, shared when a share group is configured."""
    group = settings.ingest_share_group
    return [
        Subscription(topics.reader_subscription(kind, share_group=group), qos=1)
        for kind in ReaderTopic
    ]


async def run(
    settings: Settings,
    *,
    clock: Clock | None = None,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Run until `stop` is set; raise StartupError if a dependency is unreachable at start."""
    stop = stop or asyncio.Event()
    # No pre-ping: it costs three round trips per batch; a dead connection fails the batch as
    # DatabaseUnavailable instead, the pool drops it and the supervisor retries (unacked).
    engine = make_engine(settings.database_url, application_name="sentinel-ingest", pre_ping=False)
    # The batch transactions have their own small pool (one batch is applied at a time),
    # whose plans are made once and use the indexes whatever the statistics say.
    batches = make_engine(
        settings.database_url,
        application_name="sentinel-ingest-batches",
        pool_size=2,
        pre_ping=False,
        probes_only=True,
    )
    driver, flusher = commit_links(settings)
    runtime = Runtime(
        settings,
        policy_from(settings),
        clock or SystemClock(),
        make_sessionmaker(engine),
        batches,
        driver,
        mirror.for_settings(settings),
        flusher,
    )
    try:
        await check_database(engine)
        await _supervise(runtime, stop, ready)
    finally:
        if flusher is not None:
            await flusher.close()
        await driver.close()
        await batches.dispose()
        await engine.dispose()


def commit_links(settings: Settings) -> tuple[DriverLink, WalFlusher | None]:
    """The optimistic batches' connection, and the flusher that makes their commits durable.

    With `ingest_async_commit` the batches' commits do not wait for the disk and the flusher's
    do (`durability.py`); without it the batches commit as the server's default says, and are
    acknowledged after their own commit (no flusher).
    """
    fast = settings.ingest_async_commit
    driver = DriverLink(
        settings.database_url,
        application_name="sentinel-ingest-batches",
        synchronous_commit=False if fast else None,
    )
    if not fast:
        return driver, None
    flushing = DriverLink(
        settings.database_url, application_name="sentinel-ingest-flush", synchronous_commit=True
    )
    return driver, WalFlusher(flushing)


async def _supervise(runtime: Runtime, stop: asyncio.Event, ready: asyncio.Event | None) -> None:
    failures = 0
    connected_once = False
    while not stop.is_set():
        cause: str | None = None
        try:
            async with mqtt.connect(
                runtime.settings.mqtt_url,
                client_id=runtime.settings.ingest_client_id,
                clock=runtime.clock,
                subscriptions=subscriptions(runtime.settings),
                ca_file=runtime.settings.mqtt_ca_file,
                queue_max=runtime.settings.ingest_queue_max,
            ) as link:
                connected_once = True
                log.info("ingest_connected")
                await _resync_presence(link, runtime)
                await _warm_up(runtime)
                # Reset only once the database answered too: while it is away the broker still
                # connects every time, and resetting on connect kept the retry at its first,
                # sub-second delay for the whole outage (a reconnect storm, no backoff).
                failures = 0
                log.info("ingest_ready")  # warmed up: taps are answered from here on
                if ready is not None:
                    ready.set()
                await _serve(link, runtime, stop)
        except* _Stopping:
            pass
        except* BrokerUnavailable as group:
            cause = f"broker: {_leaf(group)}"
        except* DatabaseUnavailable as group:
            cause = f"database: {_leaf(group)}"
        except* Exception as group:
            # A bug in a task must not end the service: log it, restart the pipeline.
            log.error("ingest_task_failed", exc_info=group.exceptions[0])
            cause = f"unexpected: {group.exceptions[0]!r}"
        if cause is None:
            continue
        if not connected_once and cause.startswith("broker"):
            raise StartupError(f"cannot reach the MQTT broker: {cause.partition(': ')[2]}")
        failures += 1
        metrics.RECONNECTS.labels(cause.partition(":")[0]).inc()
        cap = DATABASE_BACKOFF_MAX_S if cause.startswith("database") else BACKOFF_MAX_S
        delay = min(cap, 0.5 * 2 ** min(failures, 6)) * random.uniform(0.5, 1.0)
        log.warning("ingest_reconnecting", extra={"cause": cause, "delay_s": round(delay, 2)})
        await wait_event(stop, delay)


def _leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first exception of a (nested) group: the cause, not "unhandled errors in a TaskGroup"."""
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


async def _serve(link: BrokerLink, runtime: Runtime, stop: asyncio.Event) -> None:
    # Unbounded: it holds outbox ids for at most MARK_EVERY_S; a bound would stall publishing.
    published: asyncio.Queue[list[int]] = asyncio.Queue()
    summary = SummaryPublisher(link, runtime.sessionmaker, runtime.clock)
    drain = Drain()
    async with asyncio.TaskGroup() as group:
        if runtime.flusher is not None:
            group.create_task(runtime.flusher.run())  # started before any batch asks it
        group.create_task(_process(link, runtime, published, summary, drain))
        group.create_task(summary.run())
        group.create_task(mark_published_rows(runtime.sessionmaker, published))
        group.create_task(
            outbox_relay.run(
                link,
                runtime.sessionmaker,
                database_url=runtime.settings.database_url,
                interval_s=runtime.settings.outbox_relay_interval_s,
            )
        )
        group.create_task(
            watch_readers(link, runtime.sessionmaker, runtime.clock, fleet_policy(runtime))
        )
        group.create_task(scheduler.run(runtime.sessionmaker, runtime.clock, runtime.settings))
        group.create_task(_stop_when(stop, drain, summary))


def fleet_policy(runtime: Runtime) -> FleetPolicy:
    """The reader-liveness policy from settings."""
    settings = runtime.settings
    return FleetPolicy(
        period_s=settings.heartbeat_period_s,
        offline_alert_s=settings.device_offline_alert_s,
        hours_start=settings.operating_hours_start,
        hours_end=settings.operating_hours_end,
        timezone=runtime.policy.timezone,
        alert_limit=runtime.policy.alert_limit,
    )


class Drain:
    """Lets a stop finish the batches already taken: committed ones get published."""

    def __init__(self) -> None:
        self.stopping = False
        self.in_flight = 0
        self.settled = asyncio.Event()
        self.settled.set()

    def took(self) -> None:
        """A batch was taken from the queue."""
        self.in_flight += 1
        self.settled.clear()

    def done(self) -> None:
        """A batch was published (or given up)."""
        self.in_flight -= 1
        if self.in_flight == 0:
            self.settled.set()


async def _stop_when(stop: asyncio.Event, drain: Drain, summary: SummaryPublisher) -> None:
    """On stop, take no new batch, let the ones in hand finish (bounded), then end the group.

    Without this a stop between a batch's commit and its publish would leave the members'
    retained presence on their previous state (the redelivery is answered from the stored
    decision and changes nothing).
    """
    await stop.wait()
    drain.stopping = True
    if await wait_event(drain.settled, STOP_DRAIN_S):
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STOP_DRAIN_S):
                await summary.flush()
    raise _Stopping


async def _process(
    link: BrokerLink,
    runtime: Runtime,
    published: asyncio.Queue[list[int]],
    summary: SummaryPublisher,
    drain: Drain,
) -> None:
    """Apply batches in turn, and publish each one while the next ones are applied.

    A batch is taken once the one before is being written (`stages/turns.py`: decided from the
    mirror, its write in flight) or has finished. Batches are published in the order taken,
    which is their commit order, so a reader's answers stay in order; a batch is acknowledged
    to the broker only after its commit, and with fast commits only once a flushing commit has
    made it durable (`durability.py`), in the same order. A batch's messages are written
    without waiting for the PUBACKs of the batch before (`confirm_in_order` waits for them).
    """
    applied: asyncio.Queue[tuple[list[Inbound], asyncio.Task[BatchOutcome]]] = asyncio.Queue(2)
    sent: asyncio.Queue[
        tuple[list[Inbound], BatchOutcome, asyncio.Future[None], asyncio.Future[None] | None]
    ]
    sent = asyncio.Queue(CONFIRM_AHEAD)
    flusher = runtime.flusher

    async def publish_in_order() -> None:
        while True:
            batch, applying = await applied.get()
            try:
                outcome = await applying
                durable = flusher.flushed() if flusher is not None else None
                acked = await send_outcome(link, batch, outcome, ack=durable is None)
            except BaseException:
                drain.done()
                raise
            await sent.put((batch, outcome, acked, durable))

    async def confirm_in_order() -> None:
        while True:
            batch, outcome, acked, durable = await sent.get()
            try:
                if durable is not None:
                    await durable
                    link.ack(batch)
                await link.confirmed(acked)
                await after_published(
                    batch,
                    outcome,
                    clock=runtime.clock,
                    published=published,
                    presence_changed=summary.mark_due,
                )
            finally:
                drain.done()

    async with asyncio.TaskGroup() as group:
        group.create_task(publish_in_order())
        group.create_task(confirm_in_order())
        previous: Turn | None = None
        while True:
            batch = await link.next_batch(runtime.settings.ingest_batch_max)
            if drain.stopping:
                await asyncio.Future()  # stopping: leave it unacked for a redelivery
            drain.took()
            turn = Turn(previous)
            applying = group.create_task(
                apply_batch(
                    runtime.batches,
                    batch,
                    now=runtime.clock.now(),
                    policy=runtime.policy,
                    driver=runtime.driver,
                    mirror=runtime.mirror,
                    turn=turn,
                )
            )
            await applied.put((batch, applying))
            await turn.go_ahead.wait()
            previous = turn


async def _warm_up(runtime: Runtime) -> None:
    """Open the optimistic batches' connection, prepare its statements, fill the mirror."""
    now = runtime.clock.now()
    on = operational_date(now, tz=runtime.policy.timezone, rollover=runtime.policy.day_rollover)
    try:
        async with database_guard():
            tx = OptimisticTx(await runtime.driver.connection(), runtime.mirror)
            await scan_io.warm_up(tx, now=now, on=on)
            await mirror.fill(tx, now=now, on=on)
            if runtime.flusher is not None:
                await runtime.flusher.warm_up()
    except DatabaseUnavailable:
        runtime.driver.discard()
        raise


async def _resync_presence(link: BrokerLink, runtime: Runtime) -> None:
    """Republish every retained presence topic from the database (state, not events)."""
    async with database_guard(), runtime.sessionmaker() as session:
        messages = await presence_messages(session, None, now=runtime.clock.now())
    await link.publish(messages)  # the publisher writes them 500 at a time
