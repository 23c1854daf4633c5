"""Tells a lost database connection apart from other errors, for the supervisor."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError

_CONNECTION_ERRORS = (
    "ConnectionDoesNotExist",
    "CannotConnectNow",
    "ConnectionFailure",
    "AdminShutdown",
    "ConnectionRejection",
    "InterfaceError",
    "TooManyConnections",
    "InternalClientError",
)


class DatabaseUnavailable(Exception):
    """The database connection is gone; the supervisor reconnects and the broker redelivers."""


def is_connection_error(exc: BaseException, *, depth: int = 0) -> bool:
    """Return True for errors that mean the database cannot be reached right now."""
    if depth == 0 and _bad_argument(exc):
        return False
    if depth > 5:
        return False
    if isinstance(exc, OSError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        return exc.orig is not None and is_connection_error(exc.orig, depth=depth + 1)
    if any(key in type(exc).__name__ for key in _CONNECTION_ERRORS):
        return True
    cause = exc.__cause__
    return cause is not None and is_connection_error(cause, depth=depth + 1)


# Lost a race with another writer: a retry decides again from what the winner committed.
# 23xxx: integrity (another worker stored the same event); 40001: serialization failure (the
# optimistic write's guard); 40P01: deadlock detected.
_RACE_STATES = ("23", "40001", "40P01")


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error, through SQLAlchemy's wrapping and exception causes."""
    for current in _chain(exc):
        code = getattr(current, "sqlstate", None)
        if isinstance(code, str):
            return code
    return None


def is_race(exc: BaseException) -> bool:
    """True for an error a retry of the same work resolves (another writer got there first)."""
    code = sqlstate(exc)
    return code is not None and code.startswith(_RACE_STATES)


def _bad_argument(exc: BaseException) -> bool:
    """True for an argument the driver could not encode; retrying cannot help.

    asyncpg's client-side `DataError` is an `InterfaceError` (as a closed connection is) and a
    `ValueError`.
    """
    return any(
        isinstance(current, ValueError)
        and "InterfaceError" in {t.__name__ for t in type(current).__mro__}
        for current in _chain(exc)
    )


def _chain(exc: BaseException, *, limit: int = 6) -> Iterator[BaseException]:
    """`exc`, then what it wraps: SQLAlchemy's `orig`, else the cause (at most `limit`)."""
    current: BaseException | None = exc
    for _ in range(limit):
        if current is None:
            return
        yield current
        current = current.orig if isinstance(current, DBAPIError) else current.__cause__


@asynccontextmanager
async def database_guard() -> AsyncIterator[None]:
    """Re-raise connection errors as DatabaseUnavailable; let other errors through."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except Exception as exc:
        if is_connection_error(exc):
            raise DatabaseUnavailable(f"{type(exc).__name__}: {exc}") from exc
        raise
