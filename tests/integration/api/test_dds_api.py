"""`/api/dds`: accept, transfer, admin assignment, release and the weekly handover (§5.6)."""

from datetime import timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.contracts import topics
from shared.domain.opday import week_start
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import MadeMember
from tests.fixtures.operations import POLICY, check_in, grant, outbox_topics, schedule


async def person(
    sm: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    *codes: str,
    level: int = 1,
    inside: bool = True,
    name: str = "Member",
) -> tuple[dict[str, str], MadeMember]:
    headers, member = await login_headers(sm, level=level, now=clock.now(), last_name=name)
    async with sm.begin() as s:
        await grant(s, member.id, *codes)
        if inside:
            await check_in(s, member.id, clock.now())
    return headers, member


class TestAccept:
    async def test_needs_presence_and_the_dds_qualification(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        api_clock: FrozenClock,
    ) -> None:
        away, _ = await person(sessionmaker, api_clock, "DDS", inside=False, name="Away")
        unqualified, _ = await person(sessionmaker, api_clock, "SWK", name="Swk")
        reply = await api_client.post("/api/dds/accept", json={}, headers=away)
        assert (reply.status_code, reply.json()["code"]) == (409, "member_not_present")
        reply = await api_client.post("/api/dds/accept", json={}, headers=unqualified)
        assert (reply.status_code, reply.json()["code"]) == (403, "not_qualified")

    async def test_accepting_opens_the_building_and_is_idempotent(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        api_clock: FrozenClock,
    ) -> None:
        headers, dds = await person(sessionmaker, api_clock, "DDS", name="Duty")
        rival, _ = await person(sessionmaker, api_clock, "DDS", name="Rival")
        first = await api_client.post("/api/dds/accept", json={}, headers=headers)
        assert first.status_code == 200, first.text
        assert first.json()["dds"]["member_id"] == str(dds.id)
        assert first.json()["status"] == "active" and first.json()["is_dds_on_site"]
        again = await api_client.post("/api/dds/accept", json={}, headers=headers)
        assert again.status_code == 200
        taken = await api_client.post("/api/dds/accept", json={}, headers=rival)
        assert (taken.status_code, taken.json()["code"]) == (409, "dds_already_accepted")
        lockup = (await api_client.get("/api/lockup/status", headers=headers)).json()
        assert lockup["building_status"] == "open"
        assert lockup["holder"]["member_id"] == str(dds.id)
        log = (await api_client.get("/api/dds/audit-log", headers=headers)).json()
        assert [e["action"] for e in log] == ["self_accepted"]
        queued = await outbox_topics(sessionmaker)
        assert topics.BUILDING_DDS in queued and topics.building_event("dds_accepted") in queued


async def test_the_dds_transfers_to_a_replacement_and_lockup_follows(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    headers, dds = await person(sessionmaker, api_clock, "DDS", name="Duty")
    _, spare = await person(sessionmaker, api_clock, "DDS", name="Spare")
    bystander, _ = await person(sessionmaker, api_clock, name="Bystander")
    assert (await api_client.post("/api/dds/accept", json={}, headers=headers)).status_code == 200

    refused = await api_client.post(
        "/api/dds/transfer", json={"to_member_id": str(spare.id)}, headers=bystander
    )
    moved = await api_client.post(
        "/api/dds/transfer", json={"to_member_id": str(spare.id)}, headers=headers
    )

    assert refused.status_code == 403
    assert moved.status_code == 200, moved.text
    assert moved.json()["dds"]["member_id"] == str(spare.id)
    lockup = (await api_client.get("/api/lockup/status", headers=headers)).json()
    assert lockup["holder"]["member_id"] == str(spare.id)
    async with sessionmaker() as s:
        rows = (
            await s.execute(
                text("SELECT member_id, status FROM dds_assignments ORDER BY created_at")
            )
        ).all()
        reason = await s.scalar(text("SELECT reason FROM lockup_transfers"))
    assert [tuple(r) for r in rows] == [(dds.id, "transferred"), (spare.id, "active")]
    assert reason == "dds_handoff"


async def test_admin_operations_need_admin(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    plain, dds = await person(sessionmaker, api_clock, "DDS", name="Duty")
    admin, _ = await person(sessionmaker, api_clock, level=5, inside=False, name="Admin")
    body = {"member_id": str(dds.id)}
    assert (await api_client.post("/api/dds/assign", json=body, headers=plain)).status_code == 403
    reply = await api_client.post("/api/dds/set-today", json=body, headers=admin)
    assert reply.status_code == 200 and reply.json()["dds"]["member_id"] == str(dds.id)
    assigned = await api_client.post("/api/dds/assign", json=body, headers=admin)
    assert (assigned.status_code, assigned.json()["code"]) == (409, "dds_already_assigned")
    api_clock.advance(timedelta(minutes=1))
    released = await api_client.post("/api/dds/release", json={"notes": "home"}, headers=plain)
    assert released.status_code == 200 and released.json()["status"] is None
    log = (await api_client.get("/api/dds/audit-log", headers=plain)).json()
    assert [e["action"] for e in log] == ["released", "assigned"]


async def test_weekly_handover_waits_for_an_explicit_transfer(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    today = POLICY.operational_date(api_clock.now())
    week = week_start(today)
    # Put "today" on the week's first operational day (Monday, no holidays) at 09:00.
    api_clock.set(POLICY.rollover_instant(week) + timedelta(hours=6))
    out_h, outgoing = await person(sessionmaker, api_clock, "DDS", name="Outgoing")
    in_h, incoming = await person(sessionmaker, api_clock, "DDS", name="Incoming")
    async with sessionmaker.begin() as s:
        await schedule(s, "DDS", week - timedelta(days=7), [(outgoing.id, None)])
        await schedule(s, "DDS", week, [(incoming.id, None)])

    current = (await api_client.get("/api/dds/current", headers=in_h)).json()
    early = await api_client.post("/api/dds/accept", json={}, headers=in_h)
    handed = await api_client.post(
        "/api/dds/transfer", json={"to_member_id": str(incoming.id)}, headers=out_h
    )

    assert current["source"] == "handover" and current["handover"]["pending"]
    assert current["dds"]["member_id"] == str(outgoing.id)
    assert (early.status_code, early.json()["code"]) == (409, "dds_handover_pending")
    assert handed.status_code == 200, handed.text
    after = handed.json()
    assert after["dds"]["member_id"] == str(incoming.id) and not after["handover"]["pending"]


async def test_kiosk_state_prompts_the_expected_dds(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    headers, dds = await person(sessionmaker, api_clock, "DDS", name="Duty")
    async with sessionmaker.begin() as s:
        await schedule(
            s, "DDS", week_start(POLICY.operational_date(api_clock.now())), [(dds.id, None)]
        )

    state = (await api_client.get(f"/api/dds/kiosk-state/{dds.id}", headers=headers)).json()

    assert state["should_prompt"] and state["needs_building_open"] and state["needs_dds"]
    assert state["prompt_variant"] == "expected_dds" and state["matches_scanned_member"]
    assert state["is_first_member_checkin"] and state["can_accept_dds"]
