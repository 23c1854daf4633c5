"""Manual check-ins and corrections: rows, member state and the same MQTT events as a scan."""

import json
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.contracts import topics
from shared.contracts.checkin import CheckinEvent
from shared.contracts.presence import MemberPresence, PresenceSummary
from shared.db.models import AuditLog, Member, MemberState, MissedCheckout, OutboxMessage
from tests.fixtures.auth import api_key_headers, login_headers
from tests.fixtures.factories import make_member


async def outbox(sm: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sm() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def state(sm: async_sessionmaker[AsyncSession], member_id: uuid.UUID) -> MemberState | None:
    async with sm() as s:
        return await s.get(MemberState, member_id)


async def test_manual_checkin_writes_state_and_queues_scan_events(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    async with sessionmaker.begin() as s:
        member = await make_member(s, last_name="Present")
    made = await api_client.post("/api/checkins", json={"member_id": str(member.id)}, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["direction"] == "in" and made.json()["source"] == "ADMIN_MANUAL"
    assert made.json()["badge_id"] == str(member.badge_id)
    row = await state(sessionmaker, member.id)
    assert row is not None and row.direction == "in" and str(row.checkin_id) == made.json()["id"]
    messages = {m.topic: m for m in await outbox(sessionmaker)}
    event = CheckinEvent.model_validate_json(messages[topics.CHECKIN_EVENTS].payload)
    assert (event.member_id, event.direction, event.method) == (member.id, "in", "manual")
    assert event.display_name == member.display_name and event.division == "OPS"
    presence = messages[topics.presence_member(member.id)]
    assert presence.retain and MemberPresence.model_validate_json(presence.payload).state == "in"
    summary = PresenceSummary.model_validate_json(messages[topics.PRESENCE_SUMMARY].payload)
    assert summary.total_present == 1 and messages[topics.PRESENCE_SUMMARY].retain
    repeat = await api_client.post(
        "/api/checkins", json={"member_id": str(member.id), "direction": "in"}, headers=admin
    )
    assert repeat.status_code == 409 and repeat.json()["code"] == "already_checked_in"
    toggled = await api_client.post(
        "/api/checkins", json={"member_id": str(member.id)}, headers=admin
    )
    assert toggled.json()["direction"] == "out"


async def test_backdated_entry_keeps_the_latest_state(
    api_client: httpx.AsyncClient,
    api_clock: FrozenClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    now = api_clock.now()
    out = await api_client.post(
        "/api/checkins",
        json={"member_id": str(member.id), "direction": "out", "at": now.isoformat()},
        headers=admin,
    )
    assert out.status_code == 201
    earlier = (now - timedelta(hours=8)).isoformat()
    backdated = await api_client.post(
        "/api/checkins", json={"member_id": str(member.id), "at": earlier}, headers=admin
    )
    assert backdated.status_code == 201 and backdated.json()["direction"] == "in"
    row = await state(sessionmaker, member.id)
    assert row is not None and row.direction == "out" and row.at == now
    future = (now + timedelta(hours=1)).isoformat()
    refused = await api_client.post(
        "/api/checkins", json={"member_id": str(member.id), "at": future}, headers=admin
    )
    assert refused.status_code == 422 and refused.json()["code"] == "at_in_future"


async def test_manual_checkout_records_a_missed_checkout(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    body = {"member_id": str(member.id), "reason": "Left without tapping"}
    absent = await api_client.post("/api/checkins/manual-checkout", json=body, headers=admin)
    assert absent.status_code == 409 and absent.json()["code"] == "not_checked_in"
    await api_client.post("/api/checkins", json={"member_id": str(member.id)}, headers=admin)
    done = await api_client.post("/api/checkins/manual-checkout", json=body, headers=admin)
    assert done.status_code == 201 and done.json()["direction"] == "out"
    async with sessionmaker() as s:
        stored = await s.get(Member, member.id)
        missed = (await s.scalars(select(MissedCheckout))).one()
    assert stored is not None and stored.missed_checkout_count == 1
    assert stored.last_missed_checkout is not None
    assert missed.resolved_by == "admin" and "Left without tapping" in (missed.notes or "")
    row = await state(sessionmaker, member.id)
    assert row is not None and row.direction == "out"
    empty = await api_client.post(
        "/api/checkins/manual-checkout", json={**body, "reason": ""}, headers=admin
    )
    assert empty.status_code == 422


async def test_edit_and_delete_recompute_state_and_are_audited(
    api_client: httpx.AsyncClient,
    api_clock: FrozenClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    admin, me = await login_headers(sessionmaker, level=5)
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    first = (
        await api_client.post("/api/checkins", json={"member_id": str(member.id)}, headers=admin)
    ).json()
    api_clock.advance(timedelta(minutes=30))
    second = (
        await api_client.post("/api/checkins", json={"member_id": str(member.id)}, headers=admin)
    ).json()
    assert second["direction"] == "out"
    moved = (api_clock.now() - timedelta(hours=2)).isoformat()
    edit = await api_client.patch(
        f"/api/checkins/{second['id']}", json={"at": moved, "reason": "Tapped late"}, headers=admin
    )
    assert edit.status_code == 200, edit.text
    row = await state(sessionmaker, member.id)
    assert row is not None and row.direction == "in" and str(row.checkin_id) == first["id"]
    no_reason = await api_client.patch(f"/api/checkins/{first['id']}", json={}, headers=admin)
    assert no_reason.status_code == 422
    gone = await api_client.delete(
        f"/api/checkins/{first['id']}", params={"reason": "Duplicate"}, headers=admin
    )
    assert gone.status_code == 204
    row = await state(sessionmaker, member.id)
    assert row is not None and row.direction == "out" and str(row.checkin_id) == second["id"]
    missing = await api_client.delete(
        f"/api/checkins/{first['id']}", params={"reason": "again"}, headers=admin
    )
    assert missing.status_code == 404
    async with sessionmaker() as s:
        entries = {e.action: e for e in await s.scalars(select(AuditLog))}
    assert entries["checkin_update"].details["reason"] == "Tapped late"
    assert entries["checkin_update"].details["before"]["direction"] == "out"
    assert entries["checkin_delete"].details["before"]["id"] == first["id"]
    assert entries["checkin_delete"].actor_id == me.id
    presence = [
        m for m in await outbox(sessionmaker) if m.topic == topics.presence_member(member.id)
    ]
    assert json.loads(presence[-1].payload)["state"] == "out"


async def test_only_admins_correct_and_command_reads_history(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    command, _ = await login_headers(sessionmaker, level=4)
    basic, me = await login_headers(sessionmaker, level=1)
    admin, _ = await login_headers(sessionmaker, level=5)
    async with sessionmaker.begin() as s:
        other = await make_member(s)
    body = {"member_id": str(other.id)}
    assert (await api_client.post("/api/checkins", json=body, headers=command)).status_code == 403
    await api_client.post("/api/checkins", json=body, headers=admin)
    await api_client.post("/api/checkins", json={"member_id": str(me.id)}, headers=admin)
    await api_client.post(
        "/api/visitors", json={"first_name": "Pat", "last_name": "Guest"}, headers=admin
    )
    history = await api_client.get("/api/checkins", headers=command)
    assert history.status_code == 200
    kinds = sorted(i["kind"] for i in history.json()["items"])
    assert kinds == ["member", "member", "visitor"]
    assert any(i["id"].startswith("v-in-") for i in history.json()["items"])
    assert (await api_client.get("/api/checkins", headers=basic)).status_code == 403
    own = await api_client.get(f"/api/members/{me.id}/checkins", headers=basic)
    assert own.status_code == 200 and own.json()["total"] == 1
    assert (
        await api_client.get(f"/api/members/{other.id}/checkins", headers=basic)
    ).status_code == 403
    one = history.json()["items"][-1]
    if one["kind"] == "member":
        assert (
            await api_client.get(f"/api/checkins/{one['id']}", headers=command)
        ).status_code == 200
    assert (
        await api_client.get(f"/api/checkins/{uuid.uuid4()}", headers=command)
    ).status_code == 404
    key = await api_key_headers(sessionmaker, scopes=["checkins:write"])
    by_key = await api_client.post("/api/checkins", json=body, headers=key)
    assert by_key.status_code == 201 and by_key.json()["direction"] == "out"
    nobody = await api_client.post(
        "/api/checkins", json={"member_id": str(uuid.uuid4())}, headers=admin
    )
    assert nobody.status_code == 404
