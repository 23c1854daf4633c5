"""One batch's database access: optimistic (two statements, no transaction) or locked.

Most batches are applied optimistically (`OptimisticTx`): a read outside any transaction (or,
in a single worker, the mirror of earlier reads), the decisions in Python, then one write
statement that re-reads and locks the members' state rows it decided from, checks the version
of everything else, and fails as a whole (SQLSTATE 40001) if anything changed meanwhile. That
is one or two round trips and no BEGIN/COMMIT, on a plain asyncpg connection (`DriverLink`):
no ORM, no pool.

A batch that needs anything rarer (a new reader or member, an out-of-order replay, an alert, a
visitor, a building prompt, heartbeats, dead letters) or lost the race is applied again in a
locked transaction (`LockedTx`): the same two statements as driver SQL in an explicit
transaction, which locks the state rows first, and an ORM session joined to it for the store
functions of the rarer paths. An ORM session and a compiled `text()` cost about a millisecond
of CPU per batch here, more than the database spends on a one-scan batch.
"""

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from shared.db.engine import driver_dsn, server_settings
from shared.store.states import StateRow

if TYPE_CHECKING:
    from ingest.stages.mirror import ScanMirror
    from ingest.stages.turns import Turn

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """SQL written with `:name` parameters, turned once into the driver's `$n` form."""

    sql: str
    names: tuple[str, ...]

    @classmethod
    def from_named(cls, sql: str) -> "DriverStatement":
        """Number each distinct `:name` in order of first use (`::type` casts are left alone)."""
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        return cls(_NAMED.sub(number, sql), tuple(names))

    def arguments(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional arguments; a missing or unknown name is a programming error."""
        extra = set(params) - set(self.names)
        if extra:
            raise KeyError(f"parameters not in the statement: {sorted(extra)}")
        return tuple(params[name] for name in self.names)


async def _fetch_one(
    driver: asyncpg.Connection, sql: str, arguments: tuple[Any, ...]
) -> Mapping[str, Any]:
    """Run `sql` on the asyncpg connection; its one row, by column name."""
    record = await driver.fetchrow(sql, *arguments)
    if record is None:
        raise LookupError("the statement returned no row")
    return cast(Mapping[str, Any], record)


class NeedsLock(Exception):
    """The optimistic attempt met a case for the locked transaction; nothing was written."""


class BatchTx(Protocol):
    """What the scan stages need from the batch's database access."""

    @property
    def optimistic(self) -> bool:
        """True when nothing is locked until the write (see the module docstring)."""
        ...

    async def one(self, statement: DriverStatement, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """Run a statement that returns exactly one row; return it by column name."""
        ...

    @property
    def mirror(self) -> "ScanMirror | None":
        """The worker's mirror of earlier reads, if it may answer this batch's read."""
        ...

    @property
    def session(self) -> AsyncSession:
        """A session in the batch's transaction (raises NeedsLock when optimistic)."""
        ...

    async def before_write(
        self, states: Sequence[StateRow], read_members: Iterable[uuid.UUID]
    ) -> None:
        """The batch is decided and its write comes next (optimistic: see `OptimisticTx`)."""
        ...

    def mark_written(self) -> None:
        """The batch's write statement returned (optimistic: it is committed)."""
        ...


class OptimisticTx:
    """Statements on a plain connection, each its own transaction; no session.

    With a `turn` (`turns.py`) the batch may be decided while the batch before is still being
    written; its first statement waits for that batch to finish, and raises NeedsLock if it was
    not committed as decided (this batch may have been decided from states that never were).
    """

    optimistic = True

    def __init__(
        self,
        driver: asyncpg.Connection,
        mirror: "ScanMirror | None" = None,
        turn: "Turn | None" = None,
    ) -> None:
        self._driver = driver
        self.mirror = mirror
        self._turn = turn
        self.written = False  # the write statement committed
        # The members whose states the write checks or puts in the mirror ahead of its commit:
        # what a failed write makes the mirror forget.
        self.members: set[uuid.UUID] = set()
        self.inherited: BaseException | None = None  # the batch before's error, re-raised

    async def before_write(
        self, states: Sequence[StateRow], read_members: Iterable[uuid.UUID]
    ) -> None:
        """Wait for the batch before; put the new states in the mirror; let the next batch go.

        The states go in ahead of the commit, so the next batch is decided from them while this
        write is in flight; a write that fails makes the mirror forget them (apply stage).
        """
        await self._in_turn()
        self.members.update(read_members)  # the new states' members among them (write_batch)
        if self.mirror is not None:
            self.mirror.remember(states)
            if self._turn is not None:
                self._turn.writing()

    def mark_written(self) -> None:
        """The write statement returned: it is committed, nothing may be applied again."""
        self.written = True

    async def one(self, statement: DriverStatement, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """Run a statement that returns exactly one row; return it by column name."""
        await self._in_turn()
        return await _fetch_one(self._driver, statement.sql, statement.arguments(params))

    async def _in_turn(self) -> None:
        """Wait until the batch before has finished (at once when there is none).

        What the batch before failed with is raised here as it is, and noted in `inherited`:
        it is that batch's error, not this one's to handle.
        """
        if self._turn is None:
            return
        try:
            as_decided = await self._turn.wait_previous()
        except Exception as exc:
            self.inherited = exc
            raise
        if not as_decided:
            raise NeedsLock("the batch before was not committed as decided")

    @property
    def session(self) -> AsyncSession:
        """Never: a path that needs the store functions needs the locked transaction."""
        raise NeedsLock("a rarer path needs the locked transaction")


class DriverLink:
    """The optimistic batches' one asyncpg connection (one batch is applied at a time).

    Opened on first use and after `discard`; it has the batch pool's settings (plans made once
    per statement, index probes only, see `shared.db.engine.make_engine(probes_only=True)`).
    `synchronous_commit` False: its commits do not wait for the disk, and its batches are
    acknowledged only after `ingest.durability.WalFlusher.flushed()`; True: they do, whatever
    the server's default (the flusher's own link); None: the server's default.
    """

    def __init__(
        self,
        database_url: str,
        *,
        application_name: str,
        synchronous_commit: bool | None = None,
    ) -> None:
        self._dsn = driver_dsn(database_url)
        self._settings = server_settings(application_name, probes_only=True)
        if synchronous_commit is not None:
            self._settings["synchronous_commit"] = "on" if synchronous_commit else "off"
        self._connection: asyncpg.Connection | None = None

    async def connection(self) -> asyncpg.Connection:
        """The open connection, connecting first if there is none."""
        if self._connection is None or self._connection.is_closed():
            self._connection = await asyncpg.connect(
                self._dsn, server_settings=self._settings, timeout=10, command_timeout=30
            )
        return self._connection

    def discard(self) -> None:
        """Drop the connection after an error that may have left it unusable."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()

    async def close(self) -> None:
        """Close the connection, if open."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                await connection.close(timeout=2)
            except Exception:
                connection.terminate()


class LockedTx:
    """The batch's connection, in a transaction begun and ended by the apply stage."""

    optimistic = False
    mirror = None  # the locked transaction reads (and locks) everything itself

    def mark_written(self) -> None:
        """Nothing to note: the apply stage commits (or rolls back) the whole transaction."""

    async def before_write(
        self, states: Sequence[StateRow], read_members: Iterable[uuid.UUID]
    ) -> None:
        """Nothing to wait for: the locked path starts after the batch before has finished."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._session: AsyncSession | None = None
        self._driver: Any = None  # the asyncpg connection, once a statement began the transaction

    async def one(self, statement: DriverStatement, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """Run a statement that returns exactly one row; return it by column name.

        The transaction's first statement goes through SQLAlchemy, which begins the transaction;
        the next ones go to the driver itself, a third of a millisecond less each (their errors
        are asyncpg's own, not wrapped by SQLAlchemy).
        """
        arguments = statement.arguments(params)
        if self._driver is None:
            result = await self.connection.exec_driver_sql(statement.sql, arguments)
            row = cast(Mapping[str, Any], result.one()._mapping)
            raw = await self.connection.get_raw_connection()
            self._driver = raw.driver_connection
            return row
        if not self._driver.is_in_transaction():
            raise RuntimeError("the batch's transaction is not open")
        return await _fetch_one(self._driver, statement.sql, arguments)

    @property
    def session(self) -> AsyncSession:
        """A session in the batch's transaction (made on first use; it never commits it)."""
        if self._session is None:
            self._session = AsyncSession(
                bind=self.connection,
                expire_on_commit=False,
                join_transaction_mode="rollback_only",
            )
        return self._session

    async def finish(self) -> None:
        """Flush what the session holds, before the apply stage commits."""
        if self._session is not None:
            await self._session.flush()

    async def close(self) -> None:
        """Release the session, if one was made (the transaction is the caller's)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
