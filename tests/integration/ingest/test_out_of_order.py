"""Events decided out of event-time order (domain.md §2.11 step 7, issue 8).

Workers of a shared subscription, readers at two doors, or readers replaying outboxes into
different batches can have a member's later tap decided before an earlier one. The late tap is
a duplicate if it falls in the window of the later one; otherwise the later check-ins are
realigned so the history alternates. These tests pin that down with one in-process ingest and
sequential publishing, so they are deterministic.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from tests.fixtures.factories import make_member
from tests.fixtures.ingest import RunningIngest
from tests.fixtures.mqtt import MqttProbe, unique_name
from tests.fixtures.scans import scan_payload, scan_topic
from tests.integration.ingest.conftest import tap


async def test_tap_within_the_window_of_a_later_decided_tap_is_a_duplicate(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> None:
    door_a, door_b = unique_name(request, "ra"), unique_name(request, "rb")
    async with sessionmaker.begin() as session:
        member = await make_member(session)
    await probe.subscribe(topics.feedback(door_a), topics.feedback(door_b))
    at = datetime.now(UTC) - timedelta(minutes=10)
    # The member taps door A, then door B 2 s later; door B's tap is decided first.
    assert (await tap(probe, door_b, member.uid, 1, at=at + timedelta(seconds=2)))[
        "result"
    ] == "checked_in"
    await tap(probe, door_a, member.uid, 1, at=at)
    async with sessionmaker() as session:
        rows = (await session.execute(text("SELECT direction FROM checkins ORDER BY at"))).all()
    assert len(rows) == 1


async def _state(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    async with sessionmaker() as session:
        direction = (await session.execute(text("SELECT direction FROM member_states"))).scalar()
        return str(direction)


async def _history(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        rows = await session.execute(text("SELECT direction FROM checkins ORDER BY at"))
        return [r.direction for r in rows]


async def test_a_late_tap_realigns_the_members_later_check_ins(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> None:
    door_a, door_b = unique_name(request, "ra"), unique_name(request, "rb")
    async with sessionmaker.begin() as session:
        member = await make_member(session)
    await probe.subscribe(
        topics.feedback(door_a),
        topics.feedback(door_b),
        topics.CHECKIN_EVENTS,
        topics.presence_member(member.id),
    )
    at = datetime.now(UTC) - timedelta(minutes=10)
    # The member taps in at door A, then out at door B a minute later; B is decided first.
    assert (await tap(probe, door_b, member.uid, 1, at=at + timedelta(minutes=1)))[
        "result"
    ] == "checked_in"
    first = (await probe.next(topics.CHECKIN_EVENTS)).json()
    assert (await tap(probe, door_a, member.uid, 1, at=at))["result"] == "checked_in"

    assert await _history(sessionmaker) == ["in", "out"]
    events = [(await probe.next(topics.CHECKIN_EVENTS)).json() for _ in range(2)]
    corrected = next(e for e in events if e["corrected"])
    assert (corrected["id"], corrected["direction"]) == (first["id"], "out")
    assert [e["direction"] for e in events if not e["corrected"]] == ["in"]
    presence = await probe.until(
        topics.presence_member(member.id), lambda m: m.json()["state"] == "out"
    )
    since = datetime.fromisoformat(presence.json()["since"].replace("Z", "+00:00"))
    assert abs(since - (at + timedelta(minutes=1))) < timedelta(seconds=1)
    state = await _state(sessionmaker)
    async with sessionmaker() as session:
        audit = (
            await session.execute(
                text(
                    "SELECT entity_id, details FROM audit_log"
                    " WHERE action = 'checkin_direction_corrected'"
                )
            )
        ).one()
    assert state == "out"
    assert audit.entity_id == first["id"]
    assert (audit.details["before"], audit.details["after"]) == ("in", "out")


async def test_two_late_taps_leave_the_history_alternating(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> None:
    doors = [unique_name(request, f"r{i}") for i in range(3)]
    async with sessionmaker.begin() as session:
        member = await make_member(session)
    await probe.subscribe(*(topics.feedback(d) for d in doors))
    at = datetime.now(UTC) - timedelta(minutes=30)
    # Taps at 0, 10 and 20 minutes, decided in the order 20, 0, 10.
    answers = [
        await tap(probe, doors[2], member.uid, 1, at=at + timedelta(minutes=20)),
        await tap(probe, doors[0], member.uid, 1, at=at),
        await tap(probe, doors[1], member.uid, 1, at=at + timedelta(minutes=10)),
    ]
    assert [a["result"] for a in answers] == ["checked_in", "checked_in", "checked_out"]
    assert await _history(sessionmaker) == ["in", "out", "in"]
    state = await _state(sessionmaker)
    assert state == "in"


async def test_late_taps_in_one_batch_are_realigned_together(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> None:
    live, away = unique_name(request, "live"), unique_name(request, "away")
    async with sessionmaker.begin() as session:
        member = await make_member(session)
    await probe.subscribe(topics.feedback(live), topics.feedback(away))
    at = datetime.now(UTC) - timedelta(hours=1)
    assert (await tap(probe, live, member.uid, 1, at=at + timedelta(minutes=50)))[
        "result"
    ] == "checked_in"
    # A reader back from an outage replays three older taps at once (one batch or several).
    for seq, minutes in enumerate((0, 10, 20), start=1):
        await probe.publish(
            scan_topic(away),
            scan_payload(
                away, member.uid, seq=seq, at=at + timedelta(minutes=minutes), replayed=True
            ),
        )
    answers = [(await probe.next(topics.feedback(away))).json() for _ in range(3)]
    assert sorted(a["result"] for a in answers) == ["checked_in", "checked_in", "checked_out"]
    assert await _history(sessionmaker) == ["in", "out", "in", "out"]
    state = await _state(sessionmaker)
    assert state == "out"


async def test_a_daily_resets_check_out_keeps_its_direction(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> None:
    door, away = unique_name(request, "door"), unique_name(request, "away")
    async with sessionmaker.begin() as session:
        member = await make_member(session)
    await probe.subscribe(topics.feedback(door), topics.feedback(away))
    at = datetime.now(UTC) - timedelta(hours=12)
    assert (await tap(probe, door, member.uid, 1, at=at))["result"] == "checked_in"
    # The 03:00 reset checked the member out with a direction of its own (domain.md §2.4).
    async with sessionmaker.begin() as session:
        reset = {"at": at + timedelta(hours=4), "m": member.id}
        await session.execute(
            text(
                "INSERT INTO checkins (at, member_id, direction, source, method)"
                " VALUES (:at, :m, 'out', 'DAILY_RESET', 'system')"
            ),
            reset,
        )
        await session.execute(
            text("UPDATE member_states SET direction = 'out', at = :at WHERE member_id = :m"),
            reset,
        )
    assert (await tap(probe, door, member.uid, 2, at=at + timedelta(hours=8)))[
        "result"
    ] == "checked_in"
    # A tap from before the reset arrives late: it checks out; the reset and the tap after it
    # stay as they are.
    late = await tap(probe, away, member.uid, 1, at=at + timedelta(hours=2), replayed=True)
    assert late["result"] == "checked_out"
    async with sessionmaker() as session:
        rows = (
            await session.execute(text("SELECT direction, method FROM checkins ORDER BY at"))
        ).all()
        corrections = await session.scalar(
            text("SELECT count(*) FROM audit_log WHERE action = 'checkin_direction_corrected'")
        )
    assert [(r.direction, r.method) for r in rows] == [
        ("in", "badge"),
        ("out", "badge"),
        ("out", "system"),
        ("in", "badge"),
    ]
    assert corrections == 0


async def test_the_lockup_holders_history_is_not_realigned(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> None:
    door, away = unique_name(request, "door"), unique_name(request, "away")
    async with sessionmaker.begin() as session:
        holder = await make_member(session)
    await probe.subscribe(topics.feedback(door), topics.feedback(away))
    at = datetime.now(UTC) - timedelta(hours=3)
    assert (await tap(probe, door, holder.uid, 1, at=at + timedelta(hours=2)))[
        "result"
    ] == "checked_in"
    async with sessionmaker.begin() as session:
        # One statement, so nothing that opens the day's cycle meanwhile can race it into a
        # duplicate active cycle (the ingest's start-up jobs did, when tests ran them).
        await session.execute(
            text(
                "INSERT INTO lockup_cycles (operational_date, building_status, holder_id,"
                " is_active) VALUES (:on, 'open', :m, true)"
                " ON CONFLICT (is_active) WHERE is_active DO UPDATE SET holder_id = :m"
            ),
            {"on": at.date(), "m": holder.id},
        )
    # Realigning would turn the holder's check-in into a check-out (step 9 forbids it).
    late = await tap(probe, away, holder.uid, 1, at=at, replayed=True)
    assert late["result"] == "checked_in"
    assert await _history(sessionmaker) == ["in", "in"]
    state = await _state(sessionmaker)
    assert state == "in"
