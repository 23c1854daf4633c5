"""Every scan result and reason, driven through MQTT against the real ingest (domain.md §2.11)."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from shared.db.models import Checkin, SecurityAlert, Visitor
from shared.settings import UidFormat
from tests.fixtures.factories import make_badge, make_member, make_visitor
from tests.fixtures.ingest import RunningIngest, start_ingest
from tests.fixtures.mqtt import MqttProbe
from tests.fixtures.scans import scan_payload, scan_topic
from tests.integration.ingest.conftest import count_rows, tap

NOW = datetime.now(UTC)


async def test_disabled_badge_is_rejected_with_critical_alert(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s, badge_status="lost")
    await probe.subscribe(topics.feedback(device), topics.alert("critical", "badge_disabled"))
    answer = await tap(probe, device, member.uid, 1)
    assert (answer["result"], answer["reason"]) == ("rejected", "badge_inactive")
    alert = await probe.until(
        topics.alert("critical", "badge_disabled"), lambda m: m.json()["subject"] == member.uid
    )
    assert "lost" in alert.json()["message"]
    assert await count_rows(sessionmaker, Checkin) == 0


async def test_unassigned_badge_is_rejected(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        await make_badge(s, uid="0A0B0C0D")
    await probe.subscribe(topics.feedback(device))
    answer = await tap(probe, device, "0A0B0C0D", 1)
    assert (answer["result"], answer["reason"]) == ("rejected", "badge_unassigned")


async def test_visitor_badge_signs_the_visitor_out_once(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        badge_id = await make_badge(s, uid="0B0B0C0D", assignment="visitor")
        visitor_id = await make_visitor(s, badge_id=badge_id)
    await probe.subscribe(topics.feedback(device))
    assert (await tap(probe, device, "0B0B0C0D", 1))["result"] == "checked_out"
    async with sessionmaker() as s:
        visitor = await s.get(Visitor, visitor_id)
        assert visitor is not None and visitor.check_out_at is not None
    again = await tap(probe, device, "0B0B0C0D", 2)
    assert (again["result"], again["reason"]) == ("rejected", "visitor_badge")


async def test_inactive_member_is_accepted_with_alert(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s, status="inactive")
    await probe.subscribe(topics.feedback(device), topics.alert("warning", "inactive_member"))
    assert (await tap(probe, device, member.uid, 1))["result"] == "checked_in"
    alert = await probe.until(
        topics.alert("warning", "inactive_member"), lambda m: m.json()["subject"] == str(member.id)
    )
    assert member.display_name in alert.json()["message"]


async def test_settings_can_reject_inactive_members_and_unregistered_readers(
    ingest_settings: object,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    settings = ingest_settings.model_copy(  # type: ignore[attr-defined]
        update={"reject_inactive_members": True, "accept_unregistered_readers": False}
    )
    async with sessionmaker.begin() as s:
        member = await make_member(s, status="inactive")
        await s.execute(
            text("INSERT INTO devices (id, status) VALUES (:d, 'active')"), {"d": device}
        )
    stranger_id = f"{device[:30]}-new"
    await probe.subscribe(topics.feedback(device), topics.feedback(stranger_id))
    async with start_ingest(settings):
        answer = await tap(probe, device, member.uid, 1)
        assert (answer["result"], answer["reason"]) == ("rejected", "member_inactive")
        await probe.publish(scan_topic(stranger_id), scan_payload(stranger_id, member.uid, seq=1))
        stranger = (await probe.next(topics.feedback(stranger_id))).json()
        assert (stranger["result"], stranger["reason"]) == ("rejected", "reader_not_accepted")


async def test_untrusted_device_clock_falls_back_to_receive_time(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    await probe.subscribe(topics.feedback(device))
    stale = datetime.now(UTC) - timedelta(days=10)
    assert (await tap(probe, device, member.uid, 1, at=stale))["result"] == "checked_in"
    async with sessionmaker() as s:
        row = (await s.execute(select(Checkin))).scalar_one()
    assert row.clock_suspect
    assert abs(row.at - datetime.now(UTC)) < timedelta(minutes=1)


async def test_replayed_taps_of_one_member_alternate_in_device_time_order(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    await probe.subscribe(topics.feedback(device))
    base = datetime.now(UTC) - timedelta(hours=3)
    # Published newest first: the ingest must still order them by device time.
    for seq, minutes in ((3, 120), (2, 60), (1, 0)):
        await probe.publish(
            scan_topic(device),
            scan_payload(
                device, member.uid, seq=seq, at=base + timedelta(minutes=minutes), replayed=True
            ),
        )
    await probe.collect(topics.feedback(device), 3)
    async with sessionmaker() as s:
        rows = (await s.execute(text("SELECT direction, replayed FROM checkins ORDER BY at"))).all()
        state = (await s.execute(text("SELECT direction FROM member_states"))).scalar_one()
    assert [r.direction for r in rows] == ["in", "out", "in"]
    assert all(r.replayed for r in rows)
    assert state == "in"


async def test_replay_older_than_latest_event_is_inserted_in_order(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    await probe.subscribe(topics.feedback(device))
    now = datetime.now(UTC)
    assert (await tap(probe, device, member.uid, 1, at=now - timedelta(hours=1)))[
        "result"
    ] == "checked_in"
    late = await tap(probe, device, member.uid, 2, at=now - timedelta(hours=2), replayed=True)
    assert late["result"] == "checked_in"  # nothing before it in history
    # The check-in an hour ago now follows the replayed one: it became a check-out.
    assert (await tap(probe, device, member.uid, 3, at=now))["result"] == "checked_in"
    async with sessionmaker() as s:
        state = (await s.execute(text("SELECT direction, at FROM member_states"))).one()
        history = (await s.execute(text("SELECT direction FROM checkins ORDER BY at"))).all()
    assert [h.direction for h in history] == ["in", "out", "in"]
    assert state.direction == "in"


async def test_legacy_decimal_serial_matches_when_enabled(
    ingest_settings: object,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    settings = ingest_settings.model_copy(  # type: ignore[attr-defined]
        update={"uid_formats": [UidFormat.HEX_UPPER, UidFormat.DEC10_LE]}
    )
    uid = "78563412"  # little-endian bytes of 0x12345678
    async with sessionmaker.begin() as s:
        member = await make_member(s, uid=f"{0x12345678:010d}")
    await probe.subscribe(topics.feedback(device))
    async with start_ingest(settings):
        answer = await tap(probe, device, uid, 1)
    assert (answer["result"], answer["display"]) == ("checked_in", member.display_name)


async def test_alerts_are_rate_limited_per_type_and_subject(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    await probe.subscribe(topics.feedback(device))
    a, b = uuid.uuid4().hex[:8].upper(), uuid.uuid4().hex[:8].upper()
    for seq, uid in enumerate((a, b, a, b, a), start=1):
        assert (await tap(probe, device, uid, seq))["reason"] == "badge_unknown"
    async with sessionmaker() as s:
        subjects = (
            # Only this rule's alerts (the in-process ingest runs without the daily jobs, but
            # the query need not depend on it).
            (
                await s.execute(
                    select(SecurityAlert.subject)
                    .where(SecurityAlert.alert_type == "badge_unknown")
                    .order_by(SecurityAlert.created_at)
                )
            )
            .scalars()
            .all()
        )
    assert sorted(subjects) == sorted([a, b])
