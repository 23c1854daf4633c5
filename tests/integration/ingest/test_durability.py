"""The WAL flusher (`ingest/durability.py`) against a real PostgreSQL.

A batch committed without waiting for the disk is acknowledged only after a flushing commit
that began after the batch's own. `locker` holds the `wal_flushes` row, so a flushing commit
stays under way while the test asks again; the flusher is seen waiting on that lock in
`pg_stat_activity` (the server's own account, polled with a timeout).
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest

from ingest import metrics
from ingest.app import commit_links
from ingest.dberrors import DatabaseUnavailable
from ingest.durability import FLUSH_EVERY_S, WalFlusher
from ingest.stages.batch_tx import DriverLink
from shared.settings import Settings
from tests.fixtures.database import lock_waiter

FLUSH_APP = "sentinel-tests-flush"


def _flusher(database_url: str, every_s: float = FLUSH_EVERY_S) -> WalFlusher:
    """A flusher on a link of its own, named so the tests can find its backend."""
    link = DriverLink(database_url, application_name=FLUSH_APP, synchronous_commit=True)
    return WalFlusher(link, every_s=every_s)


@contextlib.asynccontextmanager
async def running_flusher(
    database_url: str, every_s: float = FLUSH_EVERY_S
) -> AsyncIterator[tuple[WalFlusher, "asyncio.Task[None]"]]:
    """A warmed-up flusher and its `run` task, on the test's own loop."""
    flusher = _flusher(database_url, every_s)
    await flusher.warm_up()
    running = asyncio.create_task(flusher.run())
    try:
        yield flusher, running
    finally:
        running.cancel()
        await asyncio.wait({running}, timeout=10)
        await flusher.close()


async def _flushes(connection: asyncpg.Connection) -> int:
    return int(await connection.fetchval("SELECT flushes FROM wal_flushes WHERE id"))


async def _hold_the_row(locker: asyncpg.Connection) -> None:
    await locker.execute("BEGIN")
    await locker.execute("SELECT 1 FROM wal_flushes WHERE id FOR UPDATE")


async def _flusher_waits_on_the_row(database_url: str) -> int:
    """The flusher's backend pid, once its flushing commit waits for `locker`'s lock."""
    return await lock_waiter(database_url, application_name=FLUSH_APP)


async def test_a_request_is_served_by_a_flush_begun_after_it(
    database_url: str, locker: asyncpg.Connection
) -> None:
    async with running_flusher(database_url) as (wal, _):
        await _served_by_a_later_flush(wal, locker, database_url)


async def _served_by_a_later_flush(
    wal: WalFlusher, locker: asyncpg.Connection, database_url: str
) -> None:
    before, counted = await _flushes(locker), metrics.WAL_FLUSHES._value.get()
    await _hold_the_row(locker)
    first = wal.flushed()
    await _flusher_waits_on_the_row(database_url)
    # Asked while the first flush is under way: that flush may have begun before their commits.
    later = [wal.flushed(), wal.flushed()]
    assert not first.done() and not any(f.done() for f in later)
    await locker.execute("ROLLBACK")
    async with asyncio.timeout(10):
        await first
        await asyncio.gather(*later)
    # One flush for the first request, one more shared by the two asked during it.
    assert await _flushes(locker) == before + 2
    assert metrics.WAL_FLUSHES._value.get() == counted + 2


async def test_requests_made_together_share_one_flushing_commit(
    database_url: str, locker: asyncpg.Connection
) -> None:
    async with running_flusher(database_url) as (wal, _), asyncio.timeout(10):
        await wal.flushed()  # the run is waiting for requests now
        before = await _flushes(locker)
        await asyncio.gather(wal.flushed(), wal.flushed(), wal.flushed())
        assert await _flushes(locker) == before + 1


async def test_flushing_commits_begin_at_most_once_per_interval_and_serve_who_asked_meanwhile(
    database_url: str, locker: asyncpg.Connection
) -> None:
    every_s = 2.0
    loop = asyncio.get_running_loop()
    async with running_flusher(database_url, every_s) as (wal, _), asyncio.timeout(10):
        began = loop.time()
        await wal.flushed()  # the run's first flush: at once, not paced
        assert loop.time() - began < every_s / 2
        before = await _flushes(locker)
        # Asked right after a flush: the next one waits out the interval and serves all three.
        second, third = wal.flushed(), wal.flushed()
        await asyncio.sleep(0)  # the run task wakes up and starts pacing
        fourth = wal.flushed()
        await asyncio.gather(second, third, fourth)
        assert loop.time() - began >= every_s
        assert await _flushes(locker) == before + 1


async def test_a_lost_connection_fails_the_waiting_batches_and_the_flusher(
    database_url: str, locker: asyncpg.Connection
) -> None:
    async with running_flusher(database_url) as (wal, running):
        await _lost_mid_flush(wal, running, locker, database_url)


async def _lost_mid_flush(
    wal: WalFlusher, running: "asyncio.Task[None]", locker: asyncpg.Connection, database_url: str
) -> None:
    await _hold_the_row(locker)
    waiting = wal.flushed()
    pid = await _flusher_waits_on_the_row(database_url)
    await locker.execute("SELECT pg_terminate_backend($1)", pid)
    await locker.execute("ROLLBACK")
    async with asyncio.timeout(10):
        with pytest.raises(DatabaseUnavailable):
            await waiting
        with pytest.raises(DatabaseUnavailable):
            await running  # the pipeline restarts; its batches stay unacknowledged
    late = wal.flushed()  # nothing may be acknowledged while no flusher runs
    assert late.done() and isinstance(late.exception(), DatabaseUnavailable)


async def test_a_stopped_run_fails_its_waiting_batches_and_drops_its_connection(
    database_url: str, locker: asyncpg.Connection
) -> None:
    """A pipeline stopping mid-flush: nothing waiting may be acknowledged, and the connection,
    maybe still busy with the statement, is not used again."""
    async with running_flusher(database_url) as (wal, running):
        await _hold_the_row(locker)
        waiting = wal.flushed()
        await _flusher_waits_on_the_row(database_url)
        running.cancel()
        async with asyncio.timeout(10):
            with pytest.raises(asyncio.CancelledError):
                await running
            with pytest.raises(DatabaseUnavailable, match="stopped"):
                await waiting
        assert wal._connection is not None and wal._connection.is_closed()
        late = wal.flushed()
        assert late.done() and isinstance(late.exception(), DatabaseUnavailable)
        await locker.execute("ROLLBACK")


async def test_a_lost_connection_is_not_replaced_within_a_run(
    database_url: str, locker: asyncpg.Connection
) -> None:
    """A server back from a crash has lost the commits made before: a new connection's flush
    would not cover them, so nothing may be acknowledged until the pipeline restarts."""
    async with running_flusher(database_url) as (wal, running):
        pid = await locker.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", FLUSH_APP
        )
        await locker.execute("SELECT pg_terminate_backend($1)", pid)
        before = await _flushes(locker)
        async with asyncio.timeout(10):
            # The driver notices the end of the connection on its own (the server closes it).
            while wal._connection is not None and not wal._connection.is_closed():
                await asyncio.sleep(0.01)
            with pytest.raises(DatabaseUnavailable, match="flushing connection was lost"):
                await wal.flushed()
            with pytest.raises(DatabaseUnavailable):
                await running
        assert await _flushes(locker) == before  # no flush on another connection
        await wal.warm_up()  # the next run's: a connection of its own
        assert await _flushes(locker) == before + 1


async def test_a_missing_row_is_an_error_not_a_flush(
    database_url: str, locker: asyncpg.Connection
) -> None:
    await locker.execute("DELETE FROM wal_flushes")
    flusher = _flusher(database_url)
    try:
        with pytest.raises(RuntimeError, match="wal_flushes row is missing"):
            await flusher.warm_up()
    finally:
        await flusher.close()


@pytest.mark.parametrize(
    ("fast", "batches", "flushes"), [(True, "off", "on"), (False, "the server's", None)]
)
async def test_the_ingest_commits_fast_only_with_a_flusher(
    database_url: str, locker: asyncpg.Connection, fast: bool, batches: str, flushes: str | None
) -> None:
    if batches == "the server's":
        batches = await locker.fetchval("SHOW synchronous_commit")  # the test server's: off
    settings = Settings(database_url=database_url, ingest_async_commit=fast)
    driver, flusher = commit_links(settings)
    try:
        connection = await driver.connection()
        assert await connection.fetchval("SHOW synchronous_commit") == batches
        if flushes is None:
            assert flusher is None
        else:
            assert flusher is not None
            await flusher.warm_up()
            assert flusher._connection is not None
            assert await flusher._connection.fetchval("SHOW synchronous_commit") == flushes
    finally:
        await driver.close()
        if flusher is not None:
            await flusher.close()


async def test_a_flush_on_another_server_fails_the_waiting_batches(
    database_url: str, locker: asyncpg.Connection
) -> None:
    """Behind a pooling proxy the same connection may reach another server after a failover,
    where a flush covers nothing this run committed. The warm-up's server is the test
    server's own (its postmaster's start time); the proxy's switch is simulated by making the
    flusher remember another one, the only part a single test server cannot show."""
    started = await locker.fetchval("SELECT CAST(pg_postmaster_start_time() AS text)")
    async with running_flusher(database_url) as (wal, running):
        assert wal._server == started
        await asyncio.wait_for(wal.flushed(), timeout=10)  # the same server: flushed
        wal._server = "2000-01-01 00:00:00+00"  # the server this run's batches committed on
        before = await _flushes(locker)
        with pytest.raises(DatabaseUnavailable, match="ran on another server"):
            await asyncio.wait_for(wal.flushed(), timeout=10)
        with pytest.raises(DatabaseUnavailable):
            await asyncio.wait_for(running, timeout=10)
        assert await _flushes(locker) == before + 1  # it committed there, and said so
        with pytest.raises(DatabaseUnavailable):
            await wal.flushed()  # nothing is acknowledged until the pipeline restarts
