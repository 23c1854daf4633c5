"""Duty Watch live coverage and night rules over HTTP: moving a cover, refusals, rule upkeep."""

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.db.models import LiveDutyAssignment
from tests.fixtures.auth import login_headers
from tests.fixtures.operations import check_in, grant

LIVE = "/api/duty-watch/live-assignments"


async def test_moving_a_cover_ends_the_previous_one(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    plain, cover = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Cov")
    _, absent = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Away")
    async with sessionmaker.begin() as s:
        await grant(s, cover.id, "BM", "QM")
        await grant(s, absent.id, "BM")
        await check_in(s, cover.id, api_clock.now() - timedelta(minutes=5))
    roles = (await api_client.get("/api/duty-roles", headers=admin)).json()
    ids = {p["code"]: p["id"] for r in roles for p in r["positions"]}

    def body(member: object, code: str) -> dict[str, str]:
        return {"member_id": str(member), "duty_position_id": ids[code]}

    assert (
        await api_client.post(LIVE, json=body(cover.id, "BM"), headers=plain)
    ).status_code == 403
    away = await api_client.post(LIVE, json=body(absent.id, "BM"), headers=admin)
    assert (away.status_code, away.json()["code"]) == (409, "member_not_present")
    nowhere = await api_client.post(
        LIVE,
        json={"member_id": str(cover.id), "duty_position_id": str(uuid.uuid4())},
        headers=admin,
    )
    assert (nowhere.status_code, nowhere.json()["code"]) == (404, "duty_position_not_found")

    first = await api_client.post(LIVE, json=body(cover.id, "BM"), headers=admin)
    assert first.status_code == 201, first.text
    again = await api_client.post(LIVE, json=body(cover.id, "BM"), headers=admin)
    assert (again.status_code, again.json()["code"]) == (409, "already_covering")
    api_clock.advance(timedelta(minutes=10))
    moved = await api_client.post(LIVE, json=body(cover.id, "QM"), headers=admin)
    assert moved.status_code == 201, moved.text

    active = (await api_client.get(LIVE, headers=plain)).json()
    assert [(c["id"], c["duty_position_id"]) for c in active] == [(moved.json()["id"], ids["QM"])]
    async with sessionmaker() as s:
        ended = await s.get(LiveDutyAssignment, uuid.UUID(first.json()["id"]))
        assert ended is not None
        assert (ended.ended_at, ended.ended_reason) == (api_clock.now(), "reassigned")

    url = f"{LIVE}/{moved.json()['id']}"
    assert (await api_client.delete(url, headers=plain)).status_code == 403
    assert (await api_client.delete(url, headers=admin)).status_code == 204
    for stale in (url, f"{LIVE}/{first.json()['id']}", f"{LIVE}/{uuid.uuid4()}"):
        gone = await api_client.delete(stale, headers=admin)
        assert (gone.status_code, gone.json()["code"]) == (404, "live_assignment_not_found")
    assert (await api_client.get(LIVE, headers=plain)).json() == []
    async with sessionmaker() as s:
        reasons = set(await s.scalars(select(LiveDutyAssignment.ended_reason)))
    assert reasons == {"reassigned", "manual_clear"}


async def test_rules_are_replaced_and_deleted_by_admins_only(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    plain, _ = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Plain")
    rules = (await api_client.get("/api/duty-watch/rules", headers=plain)).json()
    tuesday = next(r for r in rules if r["weekday"] == 2)
    url = f"/api/duty-watch/rules/{tuesday['id']}"
    biweekly = {
        "name": "Tuesday, every other week",
        "effective_start_date": "2026-09-01",
        "start_time": "18:30",
        "end_time": "22:30",
        "recurrence": "weekly",
        "weekday": 2,
        "interval_weeks": 2,
    }

    assert (await api_client.put(url, json=biweekly, headers=plain)).status_code == 403
    replaced = await api_client.put(url, json=biweekly, headers=admin)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {
        **biweekly,
        "id": tuesday["id"],
        "start_time": "18:30:00",
        "end_time": "22:30:00",
        "ordinal": None,
        "is_active": True,
    }
    listed = (await api_client.get("/api/duty-watch/rules", headers=plain)).json()
    assert next(r for r in listed if r["id"] == tuesday["id"])["interval_weeks"] == 2
    invalid = await api_client.put(url, json={**biweekly, "weekday": 8}, headers=admin)
    assert invalid.status_code == 422

    missing = f"/api/duty-watch/rules/{uuid.uuid4()}"
    assert (await api_client.put(missing, json=biweekly, headers=admin)).status_code == 404
    assert (await api_client.delete(url, headers=plain)).status_code == 403
    assert (await api_client.delete(url, headers=admin)).status_code == 204
    gone = await api_client.delete(url, headers=admin)
    assert (gone.status_code, gone.json()["code"]) == (404, "rule_not_found")
    remaining = (await api_client.get("/api/duty-watch/rules", headers=plain)).json()
    assert [r["weekday"] for r in remaining] == [4]
