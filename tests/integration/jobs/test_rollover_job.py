"""The daily rollover job: closes the day, starts the next, runs at most once (§0.2 rule 7)."""

import asyncio
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest.jobs import rollover
from shared.contracts import topics
from shared.store import sessions
from tests.fixtures.factories import make_member, make_visitor
from tests.fixtures.operations import (
    POLICY,
    alert_types,
    check_in,
    count,
    local,
    outbox_topics,
    present,
    schedule,
)

TUESDAY, WEDNESDAY = date(2026, 11, 24), date(2026, 11, 25)
MONDAY = date(2026, 11, 23)


async def open_day(sm: async_sessionmaker[AsyncSession], on: date) -> None:
    """Run the day's rollover, then open the building as if someone did."""
    assert await rollover.run_once(sm, POLICY, now=POLICY.rollover_instant(on)) is not None
    async with sm.begin() as s:
        holder = await make_member(s, last_name="Holder")
        await s.execute(
            text(
                "UPDATE lockup_cycles SET building_status = 'open', holder_id = :h WHERE is_active"
            ),
            {"h": holder.id},
        )


async def test_rollover_closes_the_day_and_starts_the_next(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    await open_day(sm, TUESDAY)
    async with sm.begin() as s:
        a = await make_member(s, last_name="Alpha")
        b = await make_member(s, last_name="Bravo")
        dds = await make_member(s, last_name="Duty")
        await check_in(s, a.id, local(2026, 11, 24, 18, 0))
        await check_in(s, b.id, local(2026, 11, 24, 19, 0))
        visitor = await make_visitor(s)
        await s.execute(
            text("UPDATE visitors SET check_in_at = :at WHERE id = :v"),
            {"at": local(2026, 11, 24, 19, 30), "v": visitor},
        )
        await schedule(s, "DDS", MONDAY, [(dds.id, None)])
        await sessions.create_session(
            s, a.id, now=local(2026, 11, 24, 10, 0), ttl=timedelta(days=7)
        )
    instant = POLICY.rollover_instant(WEDNESDAY)
    earlier = len(await outbox_topics(sm))

    report = await rollover.run_once(sm, POLICY, now=instant + timedelta(seconds=5))

    assert report is not None and sorted(report.members) == ["S1 Alpha, J", "S1 Bravo, J"]
    assert await present(sm) == set()
    assert await alert_types(sm) == ["building_not_secured", "member_missed_checkout"]
    async with sm() as s:
        outs = (
            await s.execute(text("SELECT at, source, method FROM checkins WHERE direction = 'out'"))
        ).all()
        assert {(r.at, r.source, r.method) for r in outs} == {(instant, "SYSTEM", "system")}
        missed = (
            await s.execute(text("SELECT missed_on, resolved_by FROM missed_checkouts"))
        ).all()
        assert sorted(missed) == [(TUESDAY, "daily_reset")] * 2
        assert await s.scalar(text("SELECT sum(missed_checkout_count) FROM members")) == 2
        assert await s.scalar(text("SELECT check_out_at FROM visitors")) == instant
        cycles = (
            await s.execute(
                text(
                    "SELECT operational_date, building_status, is_active, closed_reason"
                    " FROM lockup_cycles ORDER BY created_at"
                )
            )
        ).all()
        assert [tuple(c) for c in cycles] == [
            (TUESDAY, "open", False, "rollover"),
            (WEDNESDAY, "secured", True, None),
        ]
        dds_rows = (
            await s.execute(text("SELECT member_id, operational_date, status FROM dds_assignments"))
        ).all()
        assert [tuple(r) for r in dds_rows] == [(dds.id, WEDNESDAY, "pending")]
        assert (
            await s.scalar(
                text("SELECT end_reason FROM member_sessions WHERE member_id = :m"), {"m": a.id}
            )
            == "daily_reset"
        )
    queued = (await outbox_topics(sm))[earlier:]
    assert topics.BUILDING_LOCKUP in queued and topics.BUILDING_DDS in queued
    assert topics.building_event("day_rolled_over") in queued
    assert queued.count(topics.CHECKIN_EVENTS) == 2


async def test_a_second_run_changes_nothing(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    sm = sessionmaker
    await open_day(sm, TUESDAY)
    async with sm.begin() as s:
        a = await make_member(s)
        await check_in(s, a.id, local(2026, 11, 24, 20, 0))
    now = POLICY.rollover_instant(WEDNESDAY) + timedelta(minutes=1)
    assert await rollover.run_once(sm, POLICY, now=now) is not None
    tables = ["checkins", "lockup_cycles", "security_alerts", "outbox", "missed_checkouts"]
    before = [await count(sm, t) for t in tables]

    assert await rollover.run_once(sm, POLICY, now=now + timedelta(hours=1)) is None

    assert [await count(sm, t) for t in tables] == before


async def test_two_processes_roll_over_once(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    sm = sessionmaker
    await open_day(sm, TUESDAY)
    async with sm.begin() as s:
        a = await make_member(s)
        await check_in(s, a.id, local(2026, 11, 24, 20, 0))
    now = POLICY.rollover_instant(WEDNESDAY)

    reports = await asyncio.gather(*(rollover.run_once(sm, POLICY, now=now) for _ in range(4)))

    assert sum(r is not None for r in reports) == 1
    assert await count(sm, "job_runs", "job = 'rollover'") == 2
    assert await count(sm, "checkins", "direction = 'out'") == 1
    assert await count(sm, "lockup_cycles", "is_active") == 1


async def test_late_catch_up_keeps_todays_arrivals(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    await open_day(sm, TUESDAY)
    async with sm.begin() as s:
        stayed = await make_member(s, last_name="Late")
        early = await make_member(s, last_name="Early")
        await check_in(s, stayed.id, local(2026, 11, 24, 22, 0))
        await check_in(s, early.id, local(2026, 11, 25, 7, 30))  # after the missed rollover

    report = await rollover.run_once(sm, POLICY, now=local(2026, 11, 25, 9, 0))

    assert report is not None and report.members == ["S1 Late, J"]
    assert await present(sm) == {early.id}


async def test_weekly_handover_creates_no_pending_dds(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    async with sm.begin() as s:
        outgoing = await make_member(s, last_name="Outgoing")
        incoming = await make_member(s, last_name="Incoming")
        await schedule(s, "DDS", MONDAY - timedelta(days=7), [(outgoing.id, None)])
        await schedule(s, "DDS", MONDAY, [(incoming.id, None)])

    report = await rollover.run_once(sm, POLICY, now=POLICY.rollover_instant(MONDAY))

    assert report is not None and not report.pending_dds
    assert await count(sm, "dds_assignments") == 0
    async with sm() as s:
        payload = await s.scalar(
            text("SELECT convert_from(payload, 'UTF8') FROM outbox WHERE topic = :t"),
            {"t": topics.BUILDING_DDS},
        )
    assert '"source":"handover"' in payload and '"pending":true' in payload
    assert str(outgoing.id) in payload.split('"dds":')[1].split("}")[0]
