"""A scan published over MQTT is decided, stored, answered and reflected in presence."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from shared.contracts import topics
from shared.contracts.feedback import Feedback
from shared.contracts.presence import MemberPresence, PresenceSummary
from shared.db.models import Checkin, DeadLetter, ProcessedEvent, SecurityAlert
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_member
from tests.fixtures.ingest import RunningIngest
from tests.fixtures.mqtt import MqttProbe
from tests.fixtures.scans import scan_payload, scan_topic
from tests.integration.ingest.conftest import count_rows


async def test_tap_checks_in_and_updates_presence_everywhere(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s, uid="04A1B2C3D4E5F6", last_name="Tremblay")
    await probe.subscribe(
        topics.feedback(device),
        topics.presence_member(member.id),
        topics.PRESENCE_SUMMARY,
        topics.CHECKIN_EVENTS,
    )
    await probe.publish(scan_topic(device), scan_payload(device, member.uid, seq=1))

    feedback = Feedback.model_validate_json((await probe.next(topics.feedback(device))).payload)
    assert feedback.result == "checked_in"
    assert feedback.event_id == f"{device}:0badc0de:1"
    assert feedback.display == member.display_name

    state = await probe.until(
        topics.presence_member(member.id), lambda m: m.json()["state"] == "in"
    )
    assert state.retain or state.json()["display_name"] == member.display_name
    presence = MemberPresence.model_validate_json(state.payload)
    assert presence.division == "OPS"
    summary = await probe.until(topics.PRESENCE_SUMMARY, lambda m: m.json()["total_present"] == 1)
    assert PresenceSummary.model_validate_json(summary.payload).total_members == 1
    event = (await probe.next(topics.CHECKIN_EVENTS)).json()
    assert event["member_id"] == str(member.id) and event["direction"] == "in"

    async with sessionmaker() as s:
        row = (await s.execute(select(Checkin))).scalar_one()
    assert (row.member_id, row.direction, row.source, row.method) == (
        member.id,
        "in",
        device,
        "badge",
    )

    app = create_app(ingest.settings)
    headers, _ = await login_headers(sessionmaker, level=1)  # presence needs a signed-in caller
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        body = (await client.get("/api/presence", headers=headers)).json()
    assert body["total_present"] == 1
    assert [p["member_id"] for p in body["present"]] == [str(member.id)]


async def test_second_tap_checks_out(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    await probe.subscribe(topics.feedback(device))

    first = datetime.now(UTC) - timedelta(minutes=5)
    await probe.publish(scan_topic(device), scan_payload(device, member.uid, seq=1, at=first))
    assert (await probe.next(topics.feedback(device))).json()["result"] == "checked_in"
    await probe.publish(
        scan_topic(device), scan_payload(device, member.uid, seq=2, at=first + timedelta(minutes=1))
    )
    assert (await probe.next(topics.feedback(device))).json()["result"] == "checked_out"
    async with sessionmaker() as s:
        directions = (await s.execute(text("SELECT direction FROM checkins ORDER BY at"))).scalars()
        assert list(directions) == ["in", "out"]


async def test_tap_within_window_is_duplicate_and_writes_nothing(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    await probe.subscribe(topics.feedback(device))
    await probe.publish(scan_topic(device), scan_payload(device, member.uid, seq=1))
    assert (await probe.next(topics.feedback(device))).json()["result"] == "checked_in"
    await probe.publish(scan_topic(device), scan_payload(device, member.uid, seq=2))
    assert (await probe.next(topics.feedback(device))).json()["result"] == "duplicate"
    assert await count_rows(sessionmaker, Checkin) == 1


async def test_redelivered_event_gets_the_same_answer_and_no_new_row(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    await probe.subscribe(topics.feedback(device))
    payload = scan_payload(device, member.uid, seq=7)
    await probe.publish(scan_topic(device), payload)
    first = (await probe.next(topics.feedback(device))).payload
    await probe.publish(scan_topic(device), payload)
    second = (await probe.next(topics.feedback(device))).payload
    assert first == second
    assert json.loads(first)["result"] == "checked_in"
    assert await count_rows(sessionmaker, Checkin) == 1
    assert await count_rows(sessionmaker, ProcessedEvent) == 1


async def test_unknown_badge_is_rejected_with_an_alert(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    uid = uuid.uuid4().hex[:8].upper()
    await probe.subscribe(topics.feedback(device), topics.alert("warning", "badge_unknown"))
    await probe.publish(scan_topic(device), scan_payload(device, uid, seq=1))
    feedback = (await probe.next(topics.feedback(device))).json()
    assert (feedback["result"], feedback["reason"]) == ("rejected", "badge_unknown")
    alert = await probe.until(
        topics.alert("warning", "badge_unknown"), lambda m: m.json()["subject"] == uid
    )
    assert uid in alert.json()["message"]
    assert await count_rows(sessionmaker, SecurityAlert, alert_type="badge_unknown") == 1
    assert await count_rows(sessionmaker, Checkin) == 0


async def test_malformed_payload_is_dead_lettered_and_consumer_keeps_going(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    await probe.subscribe(topics.feedback(device))
    await probe.publish(scan_topic(device), b"{not json")
    error = (await probe.next(topics.feedback(device))).json()
    assert error["result"] == "error"
    await probe.publish(scan_topic(device), scan_payload(device, member.uid, seq=1))
    assert (await probe.next(topics.feedback(device))).json()["result"] == "checked_in"
    async with sessionmaker() as s:
        letter = (await s.execute(select(DeadLetter))).scalar_one()
    assert (letter.reason, letter.payload, letter.device_id) == (
        "invalid_json",
        b"{not json",
        device,
    )
