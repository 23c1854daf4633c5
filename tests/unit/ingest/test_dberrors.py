"""Telling a lost database connection apart from a refused statement (ingest/dberrors.py).

A connection error makes the supervisor reconnect and the broker redeliver; any other error must
surface unchanged, or a bad row would be retried forever.
"""

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from ingest.dberrors import (
    DatabaseUnavailable,
    database_guard,
    is_connection_error,
    is_race,
    sqlstate,
)


def wrapped(orig: BaseException, *, invalidated: bool = False) -> DBAPIError:
    """A driver error as SQLAlchemy raises it."""
    return DBAPIError("SELECT 1", None, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),
        OSError(113, "No route to host"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.InterfaceError("cannot call Connection.fetch(): connection closed"),
        asyncpg.exceptions.InternalClientError("unexpected"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_connection_errors_are_recognised_bare_and_wrapped(exc: BaseException) -> None:
    assert is_connection_error(exc)
    assert is_connection_error(wrapped(exc))


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bad payload"),
        KeyError("member_id"),
        asyncpg.exceptions.UniqueViolationError("duplicate key value"),
        asyncpg.exceptions.DataError("invalid input syntax for type uuid"),
        IntegrityError("INSERT", None, asyncpg.exceptions.ForeignKeyViolationError("fk")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_statement_errors_are_not_connection_errors(exc: BaseException) -> None:
    assert not is_connection_error(exc)


def test_an_invalidated_connection_counts_whatever_the_driver_said() -> None:
    assert is_connection_error(wrapped(ValueError("odd"), invalidated=True))
    assert not is_connection_error(wrapped(ValueError("odd")))


def test_the_cause_chain_is_followed_but_not_forever() -> None:
    try:
        try:
            raise ConnectionResetError(104, "reset")
        except ConnectionResetError as low:
            raise RuntimeError("flush failed") from low
    except RuntimeError as high:
        assert is_connection_error(high)

    deep: BaseException = ConnectionResetError(104, "reset")
    for level in range(7):  # deeper than the search goes
        outer = RuntimeError(f"level {level}")
        outer.__cause__ = deep
        deep = outer
    assert not is_connection_error(deep)

    loop = RuntimeError("cycle")
    loop.__cause__ = loop
    assert not is_connection_error(loop)  # returns instead of recursing without end


async def test_guard_turns_connection_errors_into_database_unavailable() -> None:
    lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
    with pytest.raises(DatabaseUnavailable, match="ConnectionDoesNotExistError") as caught:
        async with database_guard():
            raise wrapped(lost)
    assert isinstance(caught.value.__cause__, DBAPIError)
    assert caught.value.__cause__.orig is lost


async def test_guard_lets_other_errors_through_unchanged() -> None:
    refused = IntegrityError("INSERT", None, asyncpg.exceptions.UniqueViolationError("dup"))
    with pytest.raises(IntegrityError) as caught:
        async with database_guard():
            raise refused
    assert caught.value is refused

    already = DatabaseUnavailable("gone")
    with pytest.raises(DatabaseUnavailable) as again:
        async with database_guard():
            raise already
    assert again.value is already and again.value.__cause__ is None

    async with database_guard():
        pass  # no error: nothing raised


def test_an_argument_the_driver_cannot_encode_is_not_a_connection_error() -> None:
    # asyncpg's client-side DataError is an InterfaceError, which SQLAlchemy's adapter maps to
    # its own InterfaceError; retrying it would loop on redelivery instead of dead-lettering.
    encode = asyncpg.exceptions._base.DataError("invalid input for query argument $1")
    adapted = asyncpg.exceptions.InterfaceError("adapted")
    adapted.__cause__ = encode
    assert not is_connection_error(encode)
    assert not is_connection_error(wrapped(adapted))
    assert is_connection_error(wrapped(asyncpg.exceptions.InterfaceError("connection closed")))


def _caused(orig: BaseException) -> Exception:
    """A driver error re-raised by an adapter, the driver's as its cause."""
    adapter = RuntimeError("adapted")
    adapter.__cause__ = orig
    return adapter


@pytest.mark.parametrize(
    ("exc", "state"),
    [
        (asyncpg.exceptions.DeadlockDetectedError("deadlock detected"), "40P01"),
        (asyncpg.exceptions.SerializationError("concurrent change: a member state"), "40001"),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), "23505"),
        (asyncpg.exceptions.ForeignKeyViolationError("no such member"), "23503"),
    ],
    ids=lambda e: type(e).__name__ if isinstance(e, BaseException) else e,
)
def test_lost_races_are_recognised_through_any_wrapping(exc: BaseException, state: str) -> None:
    for form in (exc, wrapped(exc), wrapped(_caused(exc)), _caused(exc)):
        assert sqlstate(form) == state
        assert is_race(form)
        assert not is_connection_error(form)


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.exceptions.UndefinedColumnError('column "x" does not exist'),
        asyncpg.exceptions.DataError("invalid input"),
        ValueError("not a database error"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_other_errors_are_not_races(exc: BaseException) -> None:
    assert not is_race(exc)
    assert not is_race(wrapped(exc))
