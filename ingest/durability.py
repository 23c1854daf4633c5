"""Durable before acknowledged: one flushing commit serves every batch that waits for it.

The optimistic batch writes commit with `synchronous_commit = off` (`DriverLink(
synchronous_commit=False)`): the commit is visible at once, so the readers are answered
without waiting for the disk, and PostgreSQL writes it out a moment later. The broker still
holds each batch's scans until they are acknowledged, and a batch is acknowledged only after
`WalFlusher.flushed()`: a commit made after the batch's own, with `synchronous_commit = on`,
on the `wal_flushes` row (migration 0011). Its flush writes the WAL up to its own commit, so
every commit before it is on disk too. A database crash can then lose only scans the broker
has not forgotten: it delivers them again and they are decided again.

Batches waiting together share one flushing commit; a batch that asks while one is under way
waits for the next (the one under way may have begun before the batch's commit). Flushing
commits begin at most once every `FLUSH_EVERY_S`: a batch's readers are answered before its
flush, so a flush that waits a few milliseconds delays only the broker's acknowledgement, and at
a thousand taps a second, where batches hold one or two scans, it serves several batches
instead of one, sparing the worker and PostgreSQL a round trip and a disk flush each time.

The flushes of one pipeline run use the connection `warm_up` opened before the run's first
batch, and never another: a server that crashed and came back would lose the commits made
before, and a new connection would flush only what came after. A lost connection fails the
waiting batches instead; the pipeline restarts and the broker delivers them again. Each flush
also says which server ran it (its postmaster's start time): behind a pooling proxy that hands
the same client connection to another server after a failover, a flush there would cover
nothing the batches committed before, so a different server fails the waiting batches the same
way.
"""

import asyncio

import asyncpg

from ingest import metrics
from ingest.dberrors import DatabaseUnavailable, is_connection_error
from ingest.stages.batch_tx import DriverLink

FLUSH_EVERY_S = 0.005  # a flushing commit begins at most this often
FLUSH_SQL = (
    "UPDATE wal_flushes SET flushes = flushes + 1 WHERE id"
    " RETURNING flushes, CAST(pg_postmaster_start_time() AS text) AS server"
)


class WalFlusher:
    """Makes durable every fast commit made before a call to `flushed`."""

    def __init__(self, link: DriverLink, *, every_s: float = FLUSH_EVERY_S) -> None:
        self._link = link  # its own connection, DriverLink(synchronous_commit=True)
        self._every_s = every_s
        self._next_at = 0.0  # loop time before which the next flush does not begin
        self._waiting: list[asyncio.Future[None]] = []
        self._wanted = asyncio.Event()
        self._stopped = False  # a run ended and no other has begun
        self._connection: asyncpg.Connection | None = None  # this run's, from `warm_up`
        self._server: str | None = None  # the server that connection reached at `warm_up`

    def flushed(self) -> "asyncio.Future[None]":
        """A future done once a flushing commit that began after this call has returned.

        It fails with DatabaseUnavailable if that commit fails, or if a `run` has ended and no
        other has begun (nothing may be acknowledged then).
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._stopped:
            self._fail([done], DatabaseUnavailable("the WAL flusher has stopped"))
            return done
        self._waiting.append(done)
        self._wanted.set()
        return done

    async def warm_up(self) -> None:
        """Take the connection the next run's flushes use, and make one flushing commit.

        Called before the run's first batch: every batch of the run commits on the server this
        connection is open to, for as long as it stays open.
        """
        self._connection = await self._link.connection()
        self._server = None
        await self._flush()

    async def run(self) -> None:
        """Flush whenever someone waits, at most once per `every_s`; a pipeline task (style.md §4)."""
        self._stopped = False
        loop = asyncio.get_running_loop()
        try:
            while True:
                await self._wanted.wait()
                if (pause := self._next_at - loop.time()) > 0:
                    await asyncio.sleep(pause)  # pacing; whoever asks meanwhile is served too
                self._wanted.clear()
                waiting, self._waiting = self._waiting, []
                self._next_at = loop.time() + self._every_s
                try:
                    await self._flush()
                except BaseException as exc:
                    self._fail(waiting, exc)
                    raise
                metrics.WAL_FLUSHES.inc()
                for done in waiting:
                    if not done.done():
                        done.set_result(None)
        finally:
            self._stopped = True
            self._wanted.clear()  # a request cancelled with the run is not the next run's
            waiting, self._waiting = self._waiting, []
            self._fail(waiting, DatabaseUnavailable("the WAL flusher stopped"))

    async def _flush(self) -> None:
        connection = self._connection
        if connection is None or connection.is_closed():
            # Not another connection: the server may have restarted since the batches' commits.
            raise DatabaseUnavailable("the flushing connection was lost")
        try:
            row = await connection.fetchrow(FLUSH_SQL)
        except Exception as exc:
            self._link.discard()
            if is_connection_error(exc):
                raise DatabaseUnavailable(f"flushing commit: {exc}") from exc
            raise
        except asyncio.CancelledError:
            self._link.discard()  # it may still be busy with the statement
            raise
        if row is None:
            # No row updated: no commit record, nothing flushed (migration 0011 makes the row).
            raise RuntimeError("the wal_flushes row is missing: run the database migrations")
        if self._server is None:
            self._server = row["server"]  # warm-up: the server this run's batches commit on
        elif row["server"] != self._server:
            self._link.discard()
            raise DatabaseUnavailable(
                f"the flushing commit ran on another server (started {row['server']}, "
                f"not {self._server}): a pooling proxy switched servers"
            )

    async def close(self) -> None:
        """Close the flushing connection, if open."""
        self._connection = None
        await self._link.close()

    @staticmethod
    def _fail(waiting: list[asyncio.Future[None]], exc: BaseException) -> None:
        # Cancelled (the pipeline stopping): the batches' own error says why.
        error = (
            exc if isinstance(exc, Exception) else DatabaseUnavailable("the WAL flusher stopped")
        )
        for done in waiting:
            if not done.done():
                done.set_exception(error)
                done.exception()  # retrieved: a waiter may be gone (its pipeline stopped)
