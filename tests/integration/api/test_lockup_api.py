"""`/api/lockup`: authority, the holder's checkout block, transfer and execution (§6)."""

from datetime import timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.contracts import topics
from tests.fixtures.auth import api_key_headers, login_headers
from tests.fixtures.factories import MadeMember, make_member, make_visitor
from tests.fixtures.operations import check_in, count, grant, outbox_topics


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


async def test_reads_need_credentials(api_client: httpx.AsyncClient) -> None:
    assert (await api_client.get("/api/lockup/status")).status_code == 401


async def test_a_key_without_building_scope_is_refused(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    wrong = await api_key_headers(sessionmaker, scopes=["presence:read"])
    right = await api_key_headers(sessionmaker, scopes=["building:read"], name="kiosk")
    assert (await api_client.get("/api/lockup/status", headers=wrong)).status_code == 403
    assert (await api_client.get("/api/lockup/status", headers=right)).status_code == 200
    refused = await api_client.post("/api/lockup/open", json={}, headers=right)
    assert refused.status_code == 403


class TestOpenAndAcquire:
    async def test_without_authority_is_forbidden(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        api_clock: FrozenClock,
    ) -> None:
        headers, _ = await person(sessionmaker, api_clock)
        reply = await api_client.post("/api/lockup/open", json={}, headers=headers)
        assert (reply.status_code, reply.json()["code"]) == (403, "not_qualified")

    async def test_must_be_checked_in(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        api_clock: FrozenClock,
    ) -> None:
        headers, _ = await person(sessionmaker, api_clock, "SWK", inside=False)
        reply = await api_client.post("/api/lockup/open", json={}, headers=headers)
        assert (reply.status_code, reply.json()["code"]) == (409, "member_not_present")

    async def test_opening_makes_the_opener_holder_and_publishes_state(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        api_clock: FrozenClock,
    ) -> None:
        headers, swk = await person(sessionmaker, api_clock, "SWK")
        reply = await api_client.post("/api/lockup/open", json={}, headers=headers)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["building_status"] == "open" and body["holder"]["member_id"] == str(swk.id)
        again = await api_client.post("/api/lockup/acquire", json={}, headers=headers)
        assert (again.status_code, again.json()["code"]) == (409, "already_held")
        queued = await outbox_topics(sessionmaker)
        assert topics.BUILDING_LOCKUP in queued
        assert topics.building_event("building_opened") in queued

    async def test_only_an_admin_may_act_for_someone_else(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        api_clock: FrozenClock,
    ) -> None:
        _, swk = await person(sessionmaker, api_clock, "SWK", name="Senior")
        plain, _ = await person(sessionmaker, api_clock, "SWK", name="Plain")
        admin, _ = await person(sessionmaker, api_clock, level=5, inside=False, name="Admin")
        body = {"member_id": str(swk.id)}
        refused = await api_client.post("/api/lockup/acquire", json=body, headers=plain)
        assert refused.status_code == 403
        reply = await api_client.post("/api/lockup/acquire", json=body, headers=admin)
        assert reply.status_code == 200 and reply.json()["holder"]["member_id"] == str(swk.id)
        assert reply.json()["building_status"] == "secured"  # acquiring does not open


async def test_holder_is_blocked_transfers_and_then_executes(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    sm = sessionmaker
    holder_h, holder = await person(sm, api_clock, "DDS", name="Holder")
    swk_h, swk = await person(sm, api_clock, "SWK", name="Senior")
    other_h, other = await person(sm, api_clock, name="Other")
    admin_h, _ = await person(sm, api_clock, level=5, inside=False, name="Admin")
    async with sm.begin() as s:
        await make_visitor(s)
        plain = await make_member(s, last_name="Badgeless")
        await s.execute(text("DELETE FROM badges WHERE member_id = :m"), {"m": plain.id})
        await check_in(s, plain.id, api_clock.now())
    assert (await api_client.post("/api/lockup/open", json={}, headers=holder_h)).status_code == 200

    options = (
        await api_client.get(f"/api/lockup/checkout-options/{holder.id}", headers=other_h)
    ).json()
    assert not options["can_checkout"] and options["available_options"] == [
        "execute_lockup",
        "transfer_lockup",
    ]
    assert [p["member_id"] for p in options["eligible_recipients"]] == [str(swk.id)]
    blocked = await api_client.post(
        "/api/checkins/manual-checkout",
        json={"member_id": str(holder.id), "reason": "went home"},
        headers=admin_h,
    )
    assert (blocked.status_code, blocked.json()["code"]) == (409, "lockup_held")
    stranger = await api_client.post(
        "/api/lockup/transfer", json={"to_member_id": str(swk.id)}, headers=other_h
    )
    assert (stranger.status_code, stranger.json()["code"]) == (403, "not_holder")
    unqualified = await api_client.post(
        "/api/lockup/transfer", json={"to_member_id": str(other.id)}, headers=holder_h
    )
    assert unqualified.status_code == 403
    moved = await api_client.post(
        "/api/lockup/transfer",
        json={"to_member_id": str(swk.id), "reason": "checkout_transfer"},
        headers=holder_h,
    )
    assert moved.status_code == 200 and moved.json()["holder"]["member_id"] == str(swk.id)

    api_clock.advance(timedelta(minutes=5))
    done = await api_client.post("/api/lockup/execute", json={"notes": "night"}, headers=swk_h)

    assert done.status_code == 200, done.text
    body = done.json()
    assert body["total_checked_out"] == 5  # four members (one without a badge) and a visitor
    assert body["status"]["building_status"] == "secured" and body["status"]["holder"] is None
    assert await count(sm, "member_states", "direction = 'in'") == 0
    assert await count(sm, "missed_checkouts", "resolved_by = 'lockup_sequence'") == 3
    assert await count(sm, "checkins", "source = 'lockup-self-checkout'") == 1
    assert await count(sm, "live_duty_assignments", "ended_at IS NULL") == 0
    present = (await api_client.get("/api/lockup/present", headers=other_h)).json()
    assert present["total_count"] == 0
    history = (await api_client.get("/api/lockup/history", headers=other_h)).json()
    assert [i["kind"] for i in history["items"]] == ["execution", "transfer"]
    assert topics.building_event("lockup_executed") in await outbox_topics(sm)


async def test_reopening_after_lockup_starts_a_new_cycle(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    headers, swk = await person(sessionmaker, api_clock, "SWK")
    assert (await api_client.post("/api/lockup/open", json={}, headers=headers)).status_code == 200
    assert (
        await api_client.post("/api/lockup/execute", json={}, headers=headers)
    ).status_code == 200
    api_clock.advance(timedelta(minutes=5))
    async with sessionmaker.begin() as s:
        await check_in(s, swk.id, api_clock.now())

    reply = await api_client.post("/api/lockup/open", json={}, headers=headers)

    assert reply.status_code == 200, reply.text
    assert reply.json()["building_status"] == "open"
    assert await count(sessionmaker, "lockup_cycles") == 2
    assert await count(sessionmaker, "lockup_cycles", "is_active") == 1
    day = reply.json()["operational_date"]
    status = (await api_client.get(f"/api/lockup/status/{day}", headers=headers)).json()
    assert status["cycle_id"] == reply.json()["cycle_id"]
