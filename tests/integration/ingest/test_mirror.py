"""A single worker's mirror of earlier reads (issue 4): batches decided without a read.

Against a real PostgreSQL at the apply stage. The mirror is only ever a guess; each test makes
it stale the way an admin, a job or a redelivery would and checks that the tap is still
decided from what the database holds.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.dberrors import DatabaseUnavailable
from ingest.outcome import BatchOutcome
from ingest.policy import IngestPolicy
from ingest.stages import batch_tx, mirror
from ingest.stages.batch_tx import DriverLink, NeedsLock, OptimisticTx
from ingest.stages.mirror import ScanMirror
from ingest.stages.turns import Turn
from shared.contracts import topics
from shared.domain.opday import operational_date
from shared.settings import Settings
from tests.fixtures.database import plain_dsn
from tests.fixtures.factories import MadeMember, make_member
from tests.fixtures.ingest import RunningIngest, make_settings
from tests.fixtures.mqtt import MqttProbe, unique_name
from tests.fixtures.services import BrokerServer
from tests.integration.ingest.conftest import OPTIMISTIC_APP, READER, select_rows, tap
from tools.seed import open_building

Apply = Callable[..., Awaitable[BatchOutcome]]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements run on the driver: reads, optimistic writes and other (locked) ones."""
    seen: list[str] = []
    real = batch_tx._fetch_one

    async def counting(driver: Any, sql: str, arguments: tuple[Any, ...]) -> Any:
        if "processed_events WHERE event_id" in sql:
            seen.append("read")
        else:
            seen.append("write" if "sentinel_conflict(" in sql else "other")
        return await real(driver, sql, arguments)

    monkeypatch.setattr(batch_tx, "_fetch_one", counting)
    return seen


async def _sql(sm: async_sessionmaker[AsyncSession], sql: str, **params: Any) -> None:
    async with sm.begin() as session:
        await session.execute(text(sql), params)


async def _fill(database_url: str, policy: IngestPolicy, held: ScanMirror) -> None:
    """Fill `held` as the ingest does at start, on a connection of its own."""
    now = datetime.now(UTC)
    link = DriverLink(database_url, application_name="sentinel-tests-fill")
    try:
        on = operational_date(now, tz=policy.timezone, rollover=policy.day_rollover)
        await mirror.fill(OptimisticTx(await link.connection(), held), now=now, on=on)
    finally:
        await link.close()


async def _version(sm: async_sessionmaker[AsyncSession]) -> int:
    return int((await select_rows(sm, "SELECT version FROM scan_inputs"))[0].version)


async def _warm(apply: Apply, member: MadeMember) -> ScanMirror:
    """The reader registered and the member's state row made (locked), then a read (miss)."""
    held = ScanMirror()
    await apply((member.uid, 1, 10), mirror=held)  # first ever: locked, forgotten after
    assert len(held) == 0
    await apply((member.uid, 2, 9), mirror=held)  # out: read, learnt, written, kept
    assert len(held) == 1 and held.version is not None
    return held


async def test_a_batch_the_mirror_answers_is_written_without_a_read(
    apply: Apply,
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
    reads: list[str],
) -> None:
    held = await _warm(apply, member)
    hits = metrics.MIRROR_ANSWERS.labels("hit")._value.get()
    reads.clear()
    third = await apply((member.uid, 3, 8), mirror=held)
    fourth = await apply((member.uid, 4, 7), mirror=held)
    assert reads == ["write", "write"]  # no read
    assert metrics.MIRROR_ANSWERS.labels("hit")._value.get() == hits + 2
    assert third.results["checked_in"] == 1 and fourth.results["checked_out"] == 1
    history = await select_rows(sessionmaker, "SELECT direction FROM checkins ORDER BY at")
    assert [r.direction for r in history] == ["in", "out", "in", "out"]
    state = await select_rows(sessionmaker, "SELECT direction, checkin_id FROM member_states")
    latest = await select_rows(sessionmaker, "SELECT id FROM checkins ORDER BY at DESC LIMIT 1")
    assert state == [("out", latest[0].id)]


async def test_a_worker_leaves_out_the_readers_marks_it_wrote_less_than_a_second_ago(
    apply: Apply,
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader is marked as seen at most once a second (`scan_io.SEEN_EVERY`); one worker
    knows its own marks, so in between its writes leave that part out."""
    held = await _warm(apply, member)
    marking: list[bool] = []  # each optimistic write: did it carry the readers' marks?
    real = batch_tx._fetch_one

    async def noting(driver: Any, sql: str, arguments: tuple[Any, ...]) -> Any:
        if "sentinel_conflict(" in sql:
            marking.append("UPDATE devices SET last_seen_at" in sql)
        return await real(driver, sql, arguments)

    monkeypatch.setattr(batch_tx, "_fetch_one", noting)
    start = datetime.now(UTC) + timedelta(seconds=2)  # the warm-up's marks are due by then
    await apply((member.uid, 3, 8), mirror=held, now=start)
    await apply((member.uid, 4, 7), mirror=held, now=start + timedelta(milliseconds=500))
    assert marking == [True, False]
    rows = await select_rows(
        sessionmaker, f"SELECT last_seen_at FROM devices WHERE id = '{READER}'"
    )
    assert rows[0].last_seen_at == start
    # Marked offline meanwhile (the fleet watcher): left so until the worker's mark is due,
    # at most a second, as a mark younger than a second was left before.
    await _sql(sessionmaker, f"UPDATE devices SET online = false WHERE id = '{READER}'")
    await apply((member.uid, 5, 6), mirror=held, now=start + timedelta(milliseconds=900))
    rows = await select_rows(sessionmaker, f"SELECT online FROM devices WHERE id = '{READER}'")
    assert rows[0].online is False
    due = start + timedelta(seconds=1)
    await apply((member.uid, 6, 5), mirror=held, now=due)
    assert marking == [True, False, False, True]
    rows = await select_rows(
        sessionmaker, f"SELECT last_seen_at, online FROM devices WHERE id = '{READER}'"
    )
    assert (rows[0].last_seen_at, rows[0].online) == (due, True)
    history = await select_rows(sessionmaker, "SELECT direction FROM checkins ORDER BY at")
    assert [r.direction for r in history] == ["in", "out", "in", "out", "in", "out"]
    held.clear()  # a mirror found stale forgets its marks too: the next write marks
    assert held.marks_due([READER], due)


async def test_a_badge_reported_lost_after_the_mirror_learnt_it_is_refused(
    apply: Apply, member: MadeMember, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    held = await _warm(apply, member)
    await _sql(sessionmaker, "UPDATE badges SET status = 'lost' WHERE id = :b", b=member.badge_id)
    conflicts = metrics.OPTIMISTIC_FALLBACKS.labels("conflict")._value.get()
    outcome = await apply((member.uid, 3, 1), mirror=held)
    # Decided from the mirror it was a check-in; the write saw the version move.
    assert metrics.OPTIMISTIC_FALLBACKS.labels("conflict")._value.get() == conflicts + 1
    assert outcome.results["rejected"] == 1 and outcome.results["checked_in"] == 0
    assert [json.loads(f.payload)["reason"] for f in outcome.feedback] == ["badge_inactive"]
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM checkins")) == 2
    assert len(held) == 0 and held.version is None  # emptied, to refill from the next reads


async def test_a_reader_disabled_after_the_mirror_learnt_it_is_refused(
    apply: Apply, member: MadeMember, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    held = await _warm(apply, member)
    await _sql(sessionmaker, f"UPDATE devices SET status = 'disabled' WHERE id = '{READER}'")
    outcome = await apply((member.uid, 3, 1), mirror=held)
    assert outcome.results["rejected"] == 1
    assert [json.loads(f.payload)["reason"] for f in outcome.feedback] == ["reader_not_accepted"]


async def test_a_state_changed_by_someone_else_is_followed(
    apply: Apply, member: MadeMember, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    held = await _warm(apply, member)  # the mirror says "out"
    # An admin checks the member in by hand: member_states is not versioned, its row is.
    await _sql(
        sessionmaker,
        "WITH c AS (INSERT INTO checkins (id, at, member_id, direction, source, method)"
        " VALUES (gen_random_uuid(), now() - interval '5 minutes', :m, 'in', 'admin', 'manual')"
        " RETURNING id, at)"
        " UPDATE member_states SET direction = 'in', at = c.at, checkin_id = c.id FROM c"
        " WHERE member_id = :m",
        m=member.id,
    )
    version = held.version
    outcome = await apply((member.uid, 3, 1), mirror=held)
    assert outcome.results["checked_out"] == 1  # from the admin's "in", not the mirror's "out"
    # Only the batch's member was forgotten; the badges, readers and building are kept.
    assert len(held) == 0 and held.version == version is not None
    history = await select_rows(sessionmaker, "SELECT direction, source FROM checkins ORDER BY at")
    assert [(r.direction, r.source) for r in history][-2:] == [("in", "admin"), ("out", READER)]


async def test_a_redelivery_the_mirror_cannot_know_is_answered_from_its_decision(
    apply: Apply, member: MadeMember, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    held = await _warm(apply, member)
    first = await apply((member.uid, 3, 1), mirror=held)
    version = held.version
    again = await apply((member.uid, 3, 1), mirror=held)  # the broker delivers it once more
    assert first.results["checked_in"] == 1
    assert again.results["redelivered"] == 1 and again.results["checked_in"] == 0
    assert [f.payload for f in again.feedback] == [f.payload for f in first.feedback]
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM checkins")) == 3
    # The state the refused write put in the mirror ahead of its commit is forgotten; the
    # rest (badges, readers, building, version) is still right and kept.
    assert len(held) == 0 and held.version == version is not None
    after = await apply((member.uid, 4, 0.5), mirror=held)
    assert after.results["checked_out"] == 1


async def test_fill_reads_every_member_state_once_at_start(
    apply: Apply,
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
    policy: IngestPolicy,
    reads: list[str],
) -> None:
    await apply((member.uid, 1, 10))  # reader and state row exist, no mirror yet
    held = ScanMirror()
    await _fill(database_url, policy, held)
    assert len(held) == 1
    reads.clear()
    outcome = await apply((member.uid, 2, 1), mirror=held)
    assert reads == ["write"] and outcome.results["checked_out"] == 1


async def test_the_version_moves_with_what_decisions_read_and_not_with_last_seen(
    member: MadeMember, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _sql(sessionmaker, "INSERT INTO devices (id, status) VALUES ('rdr-v', 'active')")
    changes = [
        "UPDATE badges SET status = 'lost'",
        "UPDATE members SET display_name = 'Renamed'",
        "UPDATE divisions SET name = 'Renamed'",
        "INSERT INTO visitors (id, first_name, last_name, display_name)"
        " VALUES (gen_random_uuid(), 'Ada', 'Lovelace', 'Ada Lovelace')",
        "DELETE FROM lockup_cycles",
        "DELETE FROM dds_assignments",
        "UPDATE devices SET status = 'disabled' WHERE id = 'rdr-v'",
    ]
    for change in changes:
        before = await _version(sessionmaker)
        await _sql(sessionmaker, change)
        assert await _version(sessionmaker) == before + 1, change
    before = await _version(sessionmaker)
    await _sql(sessionmaker, "UPDATE devices SET last_seen_at = now(), online = true")
    await _sql(sessionmaker, "UPDATE devices SET status = 'disabled' WHERE id = 'rdr-v'")
    await _sql(sessionmaker, "DELETE FROM visitors WHERE false")
    assert (
        await _version(sessionmaker) == before
    )  # marks seen, a status set to what it was, no row changed


async def test_raising_the_version_adds_no_deadlock_between_two_admins(
    member: MadeMember, database_url: str
) -> None:
    """A visitor signed in with a badge while an admin edits that badge: one waits, both commit.

    Raised by each statement, the first transaction held the version row from its visitor
    insert on and the second, holding the badge, waited for it: a deadlock.
    """
    first = await asyncpg.connect(plain_dsn(database_url))
    second = await asyncpg.connect(plain_dsn(database_url))
    try:
        before = await first.fetchval("SELECT version FROM scan_inputs")
        await first.execute("BEGIN")
        await first.execute(
            "INSERT INTO visitors (id, first_name, last_name, display_name)"
            " VALUES (gen_random_uuid(), 'Ada', 'Lovelace', 'Ada Lovelace')"
        )
        await second.execute("BEGIN")
        await second.execute("SELECT 1 FROM badges WHERE id = $1 FOR UPDATE", member.badge_id)
        async with asyncio.timeout(10):
            await second.execute("UPDATE badges SET status = 'lost' WHERE id = $1", member.badge_id)
            lock = asyncio.create_task(
                first.execute("SELECT 1 FROM badges WHERE id = $1 FOR UPDATE", member.badge_id)
            )
            await second.execute("COMMIT")
            await lock
            await first.execute("COMMIT")
        assert await first.fetchval("SELECT version FROM scan_inputs") == before + 2
    finally:
        await first.close()
        await second.close()


async def test_the_version_moves_once_per_transaction(
    member: MadeMember, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """An import of many rows leaves one new version of the row, not one per statement."""

    before = await _version(sessionmaker)
    async with sessionmaker.begin() as session:
        for n in range(50):
            await session.execute(text(f"UPDATE members SET display_name = 'Imported {n}'"))
    assert await _version(sessionmaker) == before + 1
    async with sessionmaker.begin() as session:
        savepoint = await session.begin_nested()
        await session.execute(text("UPDATE members SET display_name = 'Undone'"))
        await savepoint.rollback()
        await session.execute(text("UPDATE badges SET status = 'lost'"))
    assert (
        await _version(sessionmaker) == before + 2
    )  # the rolled-back raise did not hide the next one


@pytest.fixture
def ingest_settings(
    database_url: str, broker_server: BrokerServer, request: pytest.FixtureRequest
) -> Settings:
    """One worker (so with a mirror), without the daily jobs: nothing else changes the rows."""
    return make_settings(
        database_url,
        broker_server.url,
        ingest_client_id=unique_name(request, "ingest"),
        scheduler_enabled=False,
    )


async def test_through_mqtt_a_badge_reported_lost_while_the_ingest_runs_is_refused(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    """The running service (one worker, so with a mirror) follows an admin's change at once."""
    async with sessionmaker.begin() as session:
        made = await make_member(session)
        duty = await make_member(session, last_name="Duty")
        await open_building(session, duty.id)  # the DDS's own taps are building events
    await probe.subscribe(topics.feedback(device))
    now = datetime.now(UTC)
    first = await tap(probe, device, made.uid, 1, at=now - timedelta(minutes=2))
    second = await tap(probe, device, made.uid, 2, at=now - timedelta(minutes=1))
    assert (first["result"], second["result"]) == ("checked_in", "checked_out")
    await _sql(sessionmaker, "UPDATE badges SET status = 'lost' WHERE id = :b", b=made.badge_id)
    hits = metrics.MIRROR_ANSWERS.labels("hit")._value.get()
    conflicts = metrics.OPTIMISTIC_FALLBACKS.labels("conflict")._value.get()
    answer = await tap(probe, device, made.uid, 3, at=now)
    # Decided from the mirror (a check-in), refused by the write, decided again locked.
    assert metrics.MIRROR_ANSWERS.labels("hit")._value.get() == hits + 1
    assert metrics.OPTIMISTIC_FALLBACKS.labels("conflict")._value.get() == conflicts + 1
    assert (answer["result"], answer["reason"]) == ("rejected", "badge_inactive")
    assert [
        r.direction for r in await select_rows(sessionmaker, "SELECT direction FROM checkins")
    ] == [
        "in",
        "out",
    ]


@pytest.mark.parametrize("why", ["a timeout", "over the limit", "a reader removed meanwhile"])
async def test_a_fill_that_cannot_load_everything_leaves_it_to_the_batches_reads(
    why: str,
    apply: Apply,
    member: MadeMember,
    database_url: str,
    policy: IngestPolicy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An empty mirror, never a half-filled one or a stopped ingest; serving goes on."""
    await apply((member.uid, 1, 10))
    held = ScanMirror()
    await _fill(database_url, policy, held)
    assert held.version is not None  # an earlier fill was learnt

    async def failing(*args: Any, **kwargs: Any) -> Any:
        if why == "a timeout":
            raise TimeoutError("the read took longer than the command timeout")
        raise NeedsLock("a reader seen for the first time")

    if why == "over the limit":
        monkeypatch.setattr(mirror, "LOAD_MAX_BADGES", 0)
    else:
        monkeypatch.setattr(mirror.scan_io, "prefetch", failing)
    await _fill(database_url, policy, held)
    assert held.version is None and len(held) == 0
    monkeypatch.undo()
    outcome = await apply((member.uid, 2, 1), mirror=held)
    assert outcome.results["checked_out"] == 1 and len(held) == 1  # learnt from the read


async def _two_in_turn(
    apply: Apply, held: ScanMirror, member: MadeMember, locker: asyncpg.Connection
) -> tuple["asyncio.Task[BatchOutcome]", "asyncio.Task[BatchOutcome]"]:
    """Batch 3 written while `locker` holds the member's state row; batch 4 decided meanwhile.

    Returns once batch 4 is decided and waiting for batch 3 to finish (neither is done).
    """
    await locker.execute("BEGIN")
    await locker.execute("SELECT 1 FROM member_states WHERE member_id = $1 FOR UPDATE", member.id)
    first_turn = Turn()
    first = asyncio.create_task(apply((member.uid, 3, 2), mirror=held, turn=first_turn))
    async with asyncio.timeout(10):
        await first_turn.go_ahead.wait()  # its states are in the mirror, its write is sent
        second = asyncio.create_task(apply((member.uid, 4, 1), mirror=held, turn=Turn(first_turn)))
        await first_turn.followed.wait()  # batch 4 is decided, waiting to write
    assert not first.done() and not second.done()
    return first, second


async def test_the_next_batch_is_decided_while_the_write_before_is_in_flight(
    apply: Apply,
    member: MadeMember,
    locker: asyncpg.Connection,
    sessionmaker: async_sessionmaker[AsyncSession],
    reads: list[str],
) -> None:
    held = await _warm(apply, member)  # in, out
    overlapped = metrics.OVERLAPPED_BATCHES._value.get()
    reads.clear()
    first, second = await _two_in_turn(apply, held, member, locker)
    await locker.execute("COMMIT")  # nothing changed: batch 3 commits as decided
    async with asyncio.timeout(10):
        third, fourth = await first, await second
    # Batch 4 was decided from batch 3's check-in before it committed, and wrote after it.
    assert third.results["checked_in"] == 1 and fourth.results["checked_out"] == 1
    assert reads == ["write", "write"]  # no read
    assert metrics.OVERLAPPED_BATCHES._value.get() == overlapped + 1
    history = await select_rows(sessionmaker, "SELECT direction FROM checkins ORDER BY at")
    assert [r.direction for r in history] == ["in", "out", "in", "out"]
    assert len(held) == 1


async def test_a_batch_before_not_committed_as_decided_makes_the_next_decided_again(
    apply: Apply,
    member: MadeMember,
    locker: asyncpg.Connection,
    sessionmaker: async_sessionmaker[AsyncSession],
    reads: list[str],
) -> None:
    """An admin's check-in lands under batch 3's write; batch 4 rested on batch 3's guess."""
    held = await _warm(apply, member)  # in, out
    fallbacks = metrics.OPTIMISTIC_FALLBACKS.labels("needs_lock")._value.get()
    reads.clear()
    first, second = await _two_in_turn(apply, held, member, locker)
    await locker.execute(
        "WITH c AS (INSERT INTO checkins (id, at, member_id, direction, source, method)"
        " VALUES (gen_random_uuid(), now() - interval '3 minutes', $1, 'in', 'admin',"
        " 'manual') RETURNING id, at)"
        " UPDATE member_states SET direction = 'in', at = c.at, checkin_id = c.id FROM c"
        " WHERE member_id = $1",
        member.id,
    )
    await locker.execute("COMMIT")
    async with asyncio.timeout(10):
        third, fourth = await first, await second
    # Batch 3 is refused by its write and decided again from the admin's "in"; batch 4 is not
    # written on batch 3's guess (one refused write, not two) but decided again after it.
    assert third.results["checked_out"] == 1 and fourth.results["checked_in"] == 1
    assert reads.count("write") == 1  # batch 3's; batch 4 went straight to the locked path
    assert metrics.OPTIMISTIC_FALLBACKS.labels("needs_lock")._value.get() == fallbacks + 1
    history = await select_rows(sessionmaker, "SELECT direction, source FROM checkins ORDER BY at")
    assert [(r.direction, r.source) for r in history][-3:] == [
        ("in", "admin"),
        ("out", READER),
        ("in", READER),
    ]
    state = await select_rows(sessionmaker, "SELECT direction FROM member_states")
    assert [s.direction for s in state] == ["in"]


async def test_a_batch_before_that_failed_makes_the_next_fail_without_writing(
    apply: Apply,
    member: MadeMember,
    locker: asyncpg.Connection,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Batch 3's connection is lost mid-write: batch 4 must not commit ahead of it."""
    held = await _warm(apply, member)
    first, second = await _two_in_turn(apply, held, member, locker)
    await locker.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = $1 AND datname = current_database()",
        OPTIMISTIC_APP,
    )
    await locker.execute("ROLLBACK")
    async with asyncio.timeout(10):
        results = await asyncio.gather(first, second, return_exceptions=True)
    assert [type(r) for r in results] == [DatabaseUnavailable, DatabaseUnavailable]
    assert results[1] is results[0]  # batch 3's error, passed on as it is, not handled again
    assert held.version is None  # emptied: nothing it holds is known to be right
    history = await select_rows(sessionmaker, "SELECT direction FROM checkins ORDER BY at")
    assert [r.direction for r in history] == ["in", "out"]  # neither batch was written
