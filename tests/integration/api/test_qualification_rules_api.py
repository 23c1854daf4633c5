"""Auto-qualification: `/auto-sync`, member create and SWK grant/revoke apply the rules (§1.9)."""

import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_division, make_member


async def codes(sm: async_sessionmaker[AsyncSession], member_id: uuid.UUID) -> list[str]:
    async with sm() as s:
        rows = await s.scalars(
            text(
                "SELECT t.code FROM member_qualifications q JOIN qualification_types t"
                " ON t.id = q.qualification_type_id WHERE q.member_id = :m AND q.status = 'active'"
                " ORDER BY t.code"
            ),
            {"m": member_id},
        )
        return list(rows)


async def test_auto_sync_grants_by_rank_and_is_idempotent(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now(), rank="CPO1")
    plain, _ = await login_headers(sessionmaker, level=1, now=api_clock.now(), rank="LCdr")
    async with sessionmaker.begin() as s:
        sentry = await make_member(s, rank="S3", last_name="Sentry")
        recruit = await make_member(s, rank="S3", last_name="Recruit", division="BMQ")
        bosun = await make_member(s, rank="S2", last_name="Bosun")
        deputy = await make_member(s, rank="PO1", last_name="Deputy")

    refused = await api_client.post("/api/qualifications/auto-sync", headers=plain)
    first = await api_client.post("/api/qualifications/auto-sync", headers=admin)
    second = await api_client.post("/api/qualifications/auto-sync", headers=admin)

    assert refused.status_code == 403
    assert first.status_code == 200, first.text
    assert second.json() == {"changes": []}
    assert await codes(sessionmaker, sentry.id) == ["APS"]
    assert await codes(sessionmaker, recruit.id) == []
    assert await codes(sessionmaker, bosun.id) == ["BM"]
    assert await codes(sessionmaker, deputy.id) == ["DSWK"]


async def test_swk_grant_and_revoke_move_dswk(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    async with sessionmaker.begin() as s:
        deputy = await make_member(s, rank="PO1", last_name="Deputy")
        swk_type = await s.scalar(text("SELECT id FROM qualification_types WHERE code = 'SWK'"))
    synced = await api_client.post(
        f"/api/members/{deputy.id}/qualifications/auto-sync", headers=admin
    )
    assert synced.json()["changes"][0]["code"] == "DSWK"

    granted = await api_client.post(
        f"/api/members/{deputy.id}/qualifications",
        json={"qualification_type_id": str(swk_type)},
        headers=admin,
    )
    assert granted.status_code == 201, granted.text
    assert await codes(sessionmaker, deputy.id) == ["SWK"]

    revoked = await api_client.post(
        f"/api/members/{deputy.id}/qualifications/{granted.json()['id']}/revoke",
        json={"reason": "posted out"},
        headers=admin,
    )
    assert revoked.status_code == 200, revoked.text
    assert await codes(sessionmaker, deputy.id) == ["DSWK"]


async def test_a_new_member_is_synced_on_create_and_lockup_eligible_lists_holders(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now(), last_name="Admin")
    async with sessionmaker.begin() as s:
        division = await make_division(s, "DECK", "Deck")
    created = await api_client.post(
        "/api/members",
        json={
            "service_number": "A12345678",
            "rank": "S2",
            "first_name": "Nora",
            "last_name": "Bosun",
            "division_id": str(division),
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert await codes(sessionmaker, uuid.UUID(created.json()["id"])) == ["BM"]
    eligible = (await api_client.get("/api/qualifications/lockup-eligible", headers=admin)).json()
    assert eligible == []  # BM cannot receive lockup
