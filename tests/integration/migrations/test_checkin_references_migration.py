"""Revision 0013: the check-ins' references hold as the foreign keys did, under concurrency too.

A reference to a missing member, badge or visitor is refused; a referenced row cannot be
deleted, its id changed, or its table truncated; a delete racing a check-in writer (either one
first) ends with one of them refused; writers of check-ins do not wait on each other, nor on an
admin's change to a member. Reversible: the downgrade puts the foreign keys back.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from alembic import command

from tests.fixtures.database import lock_waiter, plain_dsn, run_migrations
from tests.integration.migrations.conftest import alembic_config

KEYS = {
    "fk_checkins_member_id_members",
    "fk_checkins_badge_id_badges",
    "fk_checkins_visitor_id_visitors",
}
INSERT = (
    "INSERT INTO checkins (at, member_id, visitor_id, badge_id, direction, source)"
    " VALUES ($1, $2, $3, $4, 'in', 'test')"
)
WAIT_S = 10.0


@pytest.fixture
async def conns(database_url: str) -> AsyncIterator[list[asyncpg.Connection]]:
    """Three connections to one migrated database."""
    opened = [await asyncpg.connect(plain_dsn(database_url)) for _ in range(3)]
    try:
        if not await opened[0].fetchval(
            "SELECT enabled FROM schema_features WHERE name = 'checkin_references'"
        ):
            pytest.skip("TimescaleDB path: the foreign keys stay")
        yield opened
    finally:
        for conn in opened:
            await conn.close()


async def _people(conn: asyncpg.Connection) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A member, a badge assigned to them, and a visitor."""
    rank = await conn.fetchval("SELECT id FROM ranks WHERE code = 'S1'")
    member = await conn.fetchval(
        "INSERT INTO members (service_number, rank_id, first_name, last_name, display_name)"
        " VALUES ($1, $2, 'A', 'B', 'S1 B, A') RETURNING id",
        f"R{uuid.uuid4().hex[:8]}",
        rank,
    )
    badge = await conn.fetchval(
        "INSERT INTO badges (serial_number, assignment_type, member_id, status)"
        " VALUES ($1, 'member', $2, 'active') RETURNING id",
        uuid.uuid4().hex[:8].upper(),
        member,
    )
    visitor = await conn.fetchval(
        "INSERT INTO visitors (first_name, last_name, display_name) VALUES ('V', 'W', 'V W')"
        " RETURNING id"
    )
    return member, badge, visitor


async def _check_in(conn: asyncpg.Connection, *, member: Any, badge: Any, visitor: Any) -> None:
    await conn.execute(INSERT, datetime.now(UTC), member, visitor, badge)


async def _people_with_check_ins(
    conn: asyncpg.Connection,
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """`_people`, with a check-in of the member's badge and one of the visitor."""
    member, badge, visitor = await _people(conn)
    await _check_in(conn, member=member, badge=badge, visitor=None)
    await _check_in(conn, member=None, badge=None, visitor=visitor)
    return member, badge, visitor


async def _refused(awaitable: Awaitable[Any], constraint: str) -> asyncpg.PostgresError:
    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        await awaitable
    assert caught.value.constraint_name == constraint
    return caught.value


async def test_a_reference_to_a_missing_row_is_refused_by_key(
    conns: list[asyncpg.Connection],
) -> None:
    conn = conns[0]
    member, badge, _ = await _people_with_check_ins(conn)
    ghost = uuid.uuid4()
    error = await _refused(
        _check_in(conn, member=ghost, badge=badge, visitor=None), "fk_checkins_member_id_members"
    )
    assert f'Key (member_id)=({ghost}) is not present in table "members"' in str(error.detail)
    await _refused(
        _check_in(conn, member=member, badge=ghost, visitor=None), "fk_checkins_badge_id_badges"
    )
    await _refused(
        _check_in(conn, member=None, badge=None, visitor=ghost), "fk_checkins_visitor_id_visitors"
    )
    await _refused(
        conn.execute("UPDATE checkins SET badge_id = $1 WHERE member_id = $2", ghost, member),
        "fk_checkins_badge_id_badges",
    )
    # One bad row among many refuses the whole statement.
    rows = [(datetime.now(UTC), member, None, badge)] * 5 + [(datetime.now(UTC), ghost, None, None)]
    await _refused(
        conn.execute(
            "INSERT INTO checkins (at, member_id, visitor_id, badge_id, direction, source)"
            " SELECT r.at, r.m, r.v, r.b, 'in', 'test' FROM unnest($1::timestamptz[],"
            " $2::uuid[], $3::uuid[], $4::uuid[]) AS r(at, m, v, b)",
            *(list(column) for column in zip(*rows, strict=True)),
        ),
        "fk_checkins_member_id_members",
    )
    assert await conn.fetchval("SELECT count(*) FROM checkins") == 2


async def test_a_referenced_row_is_kept_and_an_unreferenced_one_goes(
    conns: list[asyncpg.Connection],
) -> None:
    conn = conns[0]
    member, badge, visitor = await _people_with_check_ins(conn)
    error = await _refused(
        conn.execute("DELETE FROM badges WHERE id = $1", badge), "fk_checkins_badge_id_badges"
    )
    assert 'is still referenced from table "checkins"' in str(error.detail)
    await _refused(
        conn.execute("DELETE FROM members WHERE id = $1", member),
        "fk_checkins_member_id_members",
    )
    await _refused(
        conn.execute("DELETE FROM visitors WHERE id = $1", visitor),
        "fk_checkins_visitor_id_visitors",
    )
    await _refused(
        conn.execute("UPDATE visitors SET id = $1 WHERE id = $2", uuid.uuid4(), visitor),
        "fk_checkins_visitor_id_visitors",
    )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await conn.execute("TRUNCATE badges CASCADE")
    # Other changes to a referenced row go through; an unreferenced row can go.
    await conn.execute("UPDATE members SET first_name = 'C' WHERE id = $1", member)
    other_member, other_badge, other_visitor = await _people(conn)
    await conn.execute("DELETE FROM badges WHERE id = $1", other_badge)
    await conn.execute("DELETE FROM members WHERE id = $1", other_member)
    await conn.execute("UPDATE visitors SET id = $1 WHERE id = $2", uuid.uuid4(), other_visitor)
    assert await conn.fetchval("SELECT count(*) FROM badges") == 1


@pytest.mark.parametrize("first", ["check_in", "delete"])
async def test_a_check_in_and_a_delete_racing_the_second_waits_and_is_refused(
    conns: list[asyncpg.Connection], database_url: str, first: str
) -> None:
    writer, deleter, watcher = conns
    member, badge, _ = await _people(writer)
    steps: dict[str, tuple[asyncpg.Connection, Callable[[], Coroutine[Any, Any, Any]]]] = {
        "check_in": (writer, lambda: _check_in(writer, member=member, badge=badge, visitor=None)),
        "delete": (deleter, lambda: deleter.execute("DELETE FROM badges WHERE id = $1", badge)),
    }
    holder, begin = steps[first]
    waiter, then = steps["delete" if first == "check_in" else "check_in"]
    async with holder.transaction():
        await begin()
        second = asyncio.create_task(then())
        await lock_waiter(database_url, pid=waiter.get_server_pid(), timeout_s=WAIT_S)
    await _refused(second, "fk_checkins_badge_id_badges")
    # The first one's work stands: the badge kept with its check-in, or gone with none.
    kept = 1 if first == "check_in" else 0
    assert await watcher.fetchval("SELECT count(*) FROM badges WHERE id = $1", badge) == kept
    assert await watcher.fetchval("SELECT count(*) FROM checkins") == kept


async def test_writers_do_not_wait_on_each_other_nor_on_an_admins_change(
    conns: list[asyncpg.Connection],
) -> None:
    first, second, admin = conns
    member, badge, _ = await _people(first)
    async with first.transaction():
        await _check_in(first, member=member, badge=badge, visitor=None)
        async with asyncio.timeout(WAIT_S):
            await _check_in(second, member=member, badge=badge, visitor=None)
            # Raises the scan inputs' version at commit (revision 0010): no conflict either.
            await admin.execute("UPDATE members SET last_name = 'D' WHERE id = $1", member)
    assert await admin.fetchval("SELECT count(*) FROM checkins") == 2


async def test_revision_0013_downgrades_to_the_keys_and_upgrades_again(
    empty_database: str,
) -> None:
    async def state() -> tuple[set[str], int, object]:
        conn = await asyncpg.connect(plain_dsn(empty_database))
        try:
            keys = await conn.fetch(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'checkins'::regclass"
                " AND contype = 'f'"
            )
            triggers = await conn.fetchval(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'checkins_refs_%'"
            )
            feature = await conn.fetchval(
                "SELECT detail FROM schema_features WHERE name = 'checkin_references'"
            )
            return {k["conname"] for k in keys}, triggers, feature
        finally:
            await conn.close()

    await asyncio.to_thread(run_migrations, empty_database, "0013")
    keys, triggers, feature = await state()
    if keys == KEYS:
        pytest.skip("TimescaleDB path: the foreign keys stay")
    assert (keys, triggers) == (set(), 2 + 2 * 3)
    assert feature == "statement triggers (revision 0013)"
    await asyncio.to_thread(command.downgrade, alembic_config(empty_database), "0012")
    assert await state() == (KEYS, 0, None)
    await asyncio.to_thread(run_migrations, empty_database, "0013")
    assert (await state())[:2] == (set(), 8)
