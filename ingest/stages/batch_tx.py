"""One batch's transaction: its two hot statements go to the driver, the rest to a session.

An ORM session and a compiled `text()` cost about a millisecond of CPU per batch here, more
than the database spends on a one-scan batch. Every batch's prefetch and write therefore run
as driver SQL (`AsyncConnection.exec_driver_sql`, `$n` parameters) on the batch's connection,
and a session joined to the same transaction is made only when a rarer path needs the store
functions (replays, alerts, visitor sign-outs, building prompts, heartbeats, dead letters).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

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


class BatchTx:
    """The batch's connection, in a transaction begun and ended by the apply stage."""

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
        record = await self._driver.fetchrow(statement.sql, *arguments)
        if record is None:
            raise LookupError("the statement returned no row")
        return cast(Mapping[str, Any], record)

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
