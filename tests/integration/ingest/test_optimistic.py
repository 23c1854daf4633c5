"""The optimistic batch path (issue 4): two statements, no transaction, a guarded write.

Driven at the apply stage against a real PostgreSQL, so the moment between the batch's read
and its write can be used by a second writer, which is what the guard is for.
"""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.outcome import BatchOutcome
from ingest.stages import scan_io
from ingest.stages.batch_tx import DriverLink
from shared.domain.checkin import Method
from shared.domain.duty_watch import LiveEndReason
from shared.services import forced_checkout
from tests.fixtures.database import lock_waiter
from tests.fixtures.factories import MadeMember, make_member
from tests.integration.ingest.conftest import OPTIMISTIC_APP, READER, select_rows


def _count(name: str, label: str) -> float:
    value = metrics.BATCHES if name == "batches" else metrics.OPTIMISTIC_FALLBACKS
    return value.labels(label)._value.get()


def _after_the_read(
    monkeypatch: pytest.MonkeyPatch, action: Callable[[], Awaitable[None]], *, nth: int = 1
) -> None:
    """Run `action` once, between the `nth` next read (prefetch) and what follows it."""
    real_prefetch = scan_io.prefetch
    calls = 0

    async def prefetch_then_act(*args: Any, **kwargs: Any) -> scan_io.Prefetch:
        nonlocal calls
        read = await real_prefetch(*args, **kwargs)
        calls += 1
        if calls == nth:
            monkeypatch.setattr(scan_io, "prefetch", real_prefetch)  # once
            await action()
        return read

    monkeypatch.setattr(scan_io, "prefetch", prefetch_then_act)


async def _by_hand(
    sm: async_sessionmaker[AsyncSession], member_id: uuid.UUID, direction: str, *, first: bool
) -> None:
    """An admin's manual check-in/out 5 minutes ago; `first` when the member has no state row."""
    row_id, at = uuid.uuid4(), datetime.now(UTC) - timedelta(minutes=5)
    save_state = (
        "INSERT INTO member_states (member_id, direction, at, checkin_id) VALUES (:m, :d, :at, :id)"
        if first
        else "UPDATE member_states SET direction = :d, at = :at, checkin_id = :id"
        " WHERE member_id = :m"
    )
    async with sm.begin() as session:
        params = {"id": row_id, "at": at, "m": member_id, "d": direction}
        await session.execute(
            text(
                "INSERT INTO checkins (id, at, member_id, direction, source, method)"
                " VALUES (:id, :at, :m, :d, 'admin', 'manual')"
            ),
            params,
        )
        await session.execute(text(save_state), params)


async def _decided_elsewhere(
    sm: async_sessionmaker[AsyncSession], event_id: str, member_id: uuid.UUID
) -> None:
    """Another worker stores a decision for `event_id` (answered "other worker")."""
    async with sm.begin() as session:
        await session.execute(
            text(
                "INSERT INTO processed_events (event_id, device_id, result, display,"
                " member_id, event_at, received_at)"
                " VALUES (:e, :d, 'duplicate', 'other worker', :m, now(), now())"
            ),
            {"e": event_id, "d": READER, "m": member_id},
        )


async def test_known_reader_and_member_are_applied_optimistically(
    apply: Callable[..., Awaitable[BatchOutcome]],
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first = await apply((member.uid, 1, 3))  # a new reader: registered by the locked path
    assert first.results["checked_in"] == 1
    before = _count("batches", "optimistic")
    second = await apply((member.uid, 2, 2))
    third = await apply((member.uid, 3, 1))
    assert _count("batches", "optimistic") == before + 2
    assert second.results["checked_out"] == 1 and third.results["checked_in"] == 1
    assert [
        r.direction
        for r in await select_rows(sessionmaker, "SELECT direction FROM checkins ORDER BY at")
    ] == ["in", "out", "in"]
    state = await select_rows(sessionmaker, "SELECT direction, checkin_id FROM member_states")
    latest = await select_rows(sessionmaker, "SELECT id FROM checkins ORDER BY at DESC LIMIT 1")
    assert state == [("in", latest[0].id)]
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM processed_events")) == 3
    assert (
        len(
            await select_rows(sessionmaker, "SELECT 1 FROM audit_log WHERE action = 'checkin_scan'")
        )
        == 3
    )
    # Each check-in's event went to the outbox in the same statement, ids handed back in order.
    assert len(second.outbox_ids) == 1 and len(third.outbox_ids) == 1
    assert second.outbox_ids[0] < third.outbox_ids[0]


async def _seen(sm: async_sessionmaker[AsyncSession]) -> datetime:
    rows = await select_rows(sm, f"SELECT last_seen_at FROM devices WHERE id = '{READER}'")
    return rows[0].last_seen_at  # type: ignore[no-any-return]


async def test_a_members_first_check_in_is_applied_locked_and_the_next_optimistically(
    apply: Callable[..., Awaitable[BatchOutcome]],
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        other = await make_member(session, last_name="Other")
    await apply((other.uid, 1, 5))  # registers the reader
    locked, optimistic = _count("batches", "locked"), _count("batches", "optimistic")
    first = await apply((member.uid, 2, 2))  # no state row yet: created by the locked path
    assert first.results["checked_in"] == 1
    assert _count("batches", "locked") == locked + 1
    second = await apply((member.uid, 3, 1))
    assert second.results["checked_out"] == 1
    assert _count("batches", "optimistic") == optimistic + 1
    rows = await select_rows(
        sessionmaker, f"SELECT direction FROM member_states WHERE member_id = '{member.id}'"
    )
    assert [r.direction for r in rows] == ["out"]


async def test_a_state_changed_between_read_and_write_is_decided_again_locked(
    apply: Callable[..., Awaitable[BatchOutcome]],
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await apply((member.uid, 1, 10))  # in (and the reader registered)
    # An admin checks the member out by hand after the batch read the state ("in").
    _after_the_read(monkeypatch, lambda: _by_hand(sessionmaker, member.id, "out", first=False))
    conflicts = _count("fallbacks", "conflict")
    outcome = await apply((member.uid, 2, 1))
    assert _count("fallbacks", "conflict") == conflicts + 1
    # Decided from the state read then it would have been "out"; decided again, it is "in".
    assert outcome.results["checked_in"] == 1 and outcome.results["checked_out"] == 0
    history = await select_rows(sessionmaker, "SELECT direction, source FROM checkins ORDER BY at")
    assert [(r.direction, r.source) for r in history] == [
        ("in", READER),
        ("out", "admin"),
        ("in", READER),
    ]
    # Nothing of the failed write is left: one decision and one audit entry per scan.
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM processed_events")) == 2
    assert (
        len(
            await select_rows(sessionmaker, "SELECT 1 FROM audit_log WHERE action = 'checkin_scan'")
        )
        == 2
    )
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM outbox")) == 2


async def test_a_rollover_holding_the_state_row_during_the_write_wins_and_the_tap_follows_it(
    apply: Callable[..., Awaitable[BatchOutcome]],
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await apply((member.uid, 1, 10))  # in
    committed: list[asyncio.Task[None]] = []

    async def check_out_and_commit_once_the_write_waits() -> None:
        # The daily rollover's forced check-out locks the member's row and writes "out"; it
        # commits only once the batch's write is waiting for that lock.
        session = sessionmaker()
        await session.begin()
        now = datetime.now(UTC)
        how = forced_checkout.Checkout(
            at=now - timedelta(minutes=5),
            now=now,
            on=now.date(),
            source="SYSTEM",
            method=Method.SYSTEM,
            live_end_reason=LiveEndReason.DAILY_RESET,
        )
        assert await forced_checkout.check_out_members(session, [member.id], how)

        async def commit_when_blocked() -> None:
            try:
                await lock_waiter(database_url, application_name=OPTIMISTIC_APP)
                await session.commit()
            finally:
                await session.close()

        committed.append(asyncio.create_task(commit_when_blocked()))

    _after_the_read(monkeypatch, check_out_and_commit_once_the_write_waits)
    conflicts = _count("fallbacks", "conflict")
    outcome = await apply((member.uid, 2, 1))
    await committed[0]
    assert _count("fallbacks", "conflict") == conflicts + 1
    assert outcome.results["checked_in"] == 1  # decided again after the forced "out"
    history = await select_rows(sessionmaker, "SELECT direction, source FROM checkins ORDER BY at")
    assert [(r.direction, r.source) for r in history] == [
        ("in", READER),
        ("out", "SYSTEM"),
        ("in", READER),
    ]
    state = await select_rows(sessionmaker, "SELECT direction FROM member_states")
    assert [r.direction for r in state] == ["in"]


async def test_an_event_stored_by_another_worker_meanwhile_is_answered_from_its_decision(
    apply: Callable[..., Awaitable[BatchOutcome]],
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await apply((member.uid, 1, 10))  # in
    event_id = f"{READER}:0badc0de:2"

    async def another_worker_decides_it() -> None:
        await _decided_elsewhere(sessionmaker, event_id, member.id)

    _after_the_read(monkeypatch, another_worker_decides_it)
    conflicts = _count("fallbacks", "conflict")
    outcome = await apply((member.uid, 2, 1))
    assert _count("fallbacks", "conflict") == conflicts + 1
    assert outcome.results["redelivered"] == 1 and outcome.results["checked_out"] == 0
    assert [json.loads(f.payload)["display"] for f in outcome.feedback] == ["other worker"]
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM checkins")) == 1


async def test_a_locked_batch_that_loses_a_race_is_applied_again_not_dead_lettered(
    apply: Callable[..., Awaitable[BatchOutcome]],
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with sessionmaker.begin() as session:
        made = await make_member(session)  # the building is secured: arrivals go locked
    await apply((made.uid, 1, 10))  # in, and the reader registered
    await apply((made.uid, 2, 5))  # out
    event_id = f"{READER}:0badc0de:3"

    async def another_worker_decides_it() -> None:
        await _decided_elsewhere(sessionmaker, event_id, made.id)

    # Read 1 is the optimistic attempt (an arrival's prompt is due: locked); read 2 the locked
    # transaction's, whose write then meets the other worker's decision.
    _after_the_read(monkeypatch, another_worker_decides_it, nth=2)
    with caplog.at_level("INFO", logger="ingest.stages.apply"):
        outcome = await apply((made.uid, 3, 1))
    assert [r.getMessage() for r in caplog.records if r.getMessage() == "batch_raced"]
    assert outcome.results["redelivered"] == 1
    assert [json.loads(f.payload)["display"] for f in outcome.feedback] == ["other worker"]
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM dead_letters")) == 0
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM checkins")) == 2


async def test_a_reader_disabled_between_read_and_write_is_refused(
    apply: Callable[..., Awaitable[BatchOutcome]],
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await apply((member.uid, 1, 10))  # in (and the reader registered, pending: accepted)

    async def disable_the_reader() -> None:
        async with sessionmaker.begin() as session:
            await session.execute(
                text(f"UPDATE devices SET status = 'disabled' WHERE id = '{READER}'")
            )

    _after_the_read(monkeypatch, disable_the_reader)
    conflicts = _count("fallbacks", "conflict")
    outcome = await apply((member.uid, 2, 1))
    assert _count("fallbacks", "conflict") == conflicts + 1
    assert outcome.results["rejected"] == 1 and outcome.results["checked_out"] == 0
    assert len(await select_rows(sessionmaker, "SELECT 1 FROM checkins")) == 1


async def test_a_batch_that_needs_building_events_is_applied_locked(
    apply: Callable[..., Awaitable[BatchOutcome]],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        made = await make_member(session)  # the building is secured: arrivals are prompted
    await apply((made.uid, 1, 5))  # registers the reader
    needs_lock = _count("fallbacks", "needs_lock")
    outcome = await apply((made.uid, 2, 4), (made.uid, 3, 1))
    assert _count("fallbacks", "needs_lock") == needs_lock + 1
    assert outcome.results["checked_out"] == 1 and outcome.results["checked_in"] == 1
    prompts = await select_rows(
        sessionmaker, "SELECT 1 FROM outbox WHERE topic LIKE '%responsibility%'"
    )
    assert len(prompts) == 2  # one per arrival, none written twice


async def test_readers_last_seen_mark_is_refreshed_at_most_every_second(
    apply: Callable[..., Awaitable[BatchOutcome]],
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await apply((member.uid, 1, 10))
    async with sessionmaker.begin() as session:
        await session.execute(
            text("UPDATE devices SET last_seen_at = now() - interval '1 minute', online = false")
        )
    now = datetime.now(UTC)
    await apply((member.uid, 2, 5), now=now)
    marked = await _seen(sessionmaker)
    assert marked == now
    rows = await select_rows(sessionmaker, f"SELECT online FROM devices WHERE id = '{READER}'")
    assert rows[0].online is True
    await apply((member.uid, 3, 1), now=now + timedelta(milliseconds=900))
    assert await _seen(sessionmaker) == marked  # within the second: left as it is
    later = now + timedelta(seconds=1)
    await apply((member.uid, 4, 0.5), now=later)
    assert await _seen(sessionmaker) == later


async def test_the_write_stores_every_column_of_its_composite_rows(
    apply: Callable[..., Awaitable[BatchOutcome]],
    member: MadeMember,
    sessionmaker: async_sessionmaker[AsyncSession],
    driver: DriverLink,
) -> None:
    """The write sends each table's rows as one array of composite rows (migration 0012): every
    field lands in its own column, in the locked write and in the optimistic one."""
    first = await apply((member.uid, 1, 30))  # the member's first tap: the locked write
    before = _count("batches", "optimistic")
    # Four taps in one batch, the third replayed from a reader's outbox: optimistic.
    taps = [
        (member.uid, 2, 28),
        (member.uid, 3, 26),
        (member.uid, 4, 24, True),
        (member.uid, 5, 22),
    ]
    batch = await apply(*taps)
    assert _count("batches", "optimistic") == before + 1
    assert first.results["checked_in"] == 1
    assert (batch.results["checked_out"], batch.results["checked_in"]) == (2, 2)
    # Every column of every row, so two same-typed fields swapped in either form would show.
    history = await select_rows(
        sessionmaker,
        "SELECT id, at, member_id, visitor_id, badge_id, direction, source, method, device_id,"
        " event_id, clock_suspect, replayed FROM checkins ORDER BY at",
    )
    assert [r.direction for r in history] == ["in", "out", "in", "out", "in"]
    assert [r.replayed for r in history] == [False, False, False, True, False]
    assert {(r.member_id, r.visitor_id, r.badge_id) for r in history} == {
        (member.id, None, member.badge_id)
    }
    assert {(r.source, r.method, r.device_id, r.clock_suspect) for r in history} == {
        (READER, "badge", READER, False)
    }
    decisions = await select_rows(
        sessionmaker,
        "SELECT event_id, device_id, result, reason, display, member_id, checkin_id, event_at,"
        " received_at, clock_suspect FROM processed_events ORDER BY event_at",
    )
    assert [(d.event_id, d.checkin_id, d.event_at) for d in decisions] == [
        (r.event_id, r.id, r.at) for r in history
    ]
    assert [d.result for d in decisions] == [f"checked_{r.direction}" for r in history]
    assert {(d.device_id, d.reason, d.member_id, d.clock_suspect) for d in decisions} == {
        (READER, None, member.id, False)
    }
    assert all(d.display and d.received_at > d.event_at for d in decisions)
    audit = await select_rows(
        sessionmaker,
        "SELECT entity_id, details FROM audit_log WHERE action = 'checkin_scan' ORDER BY entity_id",
    )
    assert sorted(
        (a.entity_id, a.details["event_id"], a.details["direction"], a.details["replayed"])
        for a in audit
    ) == sorted((str(r.id), r.event_id, r.direction, r.replayed) for r in history)
    state = await select_rows(sessionmaker, "SELECT direction, at, checkin_id FROM member_states")
    assert state == [("in", history[-1].at, history[-1].id)]
    outbox = await select_rows(
        sessionmaker,
        "SELECT id, topic, payload, qos, retain, correlation_id FROM outbox ORDER BY id",
    )
    assert batch.outbox_ids == [o.id for o in outbox[1:]]  # in message order
    assert [(json.loads(o.payload)["id"], o.correlation_id) for o in outbox] == [
        (str(r.id), r.event_id) for r in history
    ]
    assert {(o.topic, o.qos, o.retain) for o in outbox} == {
        ("sentinel/v1/events/checkins", 1, False)
    }
    # The statement the server ran takes the rows (its prepared statements' own count).
    ran = await (await driver.connection()).fetch(
        "SELECT statement FROM pg_prepared_statements WHERE generic_plans + custom_plans > 0"
    )
    writes = [r["statement"] for r in ran if "INSERT INTO checkins" in r["statement"]]
    assert writes and all("sentinel_checkin_row" in w for w in writes)
