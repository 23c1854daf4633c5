"""Weekly schedules, Duty Watch overrides, live coverage, rules and tonight's team (§5.2–§5.5)."""

from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.contracts import topics
from shared.domain.opday import week_start
from tests.fixtures.auth import login_headers
from tests.fixtures.operations import POLICY, check_in, grant, local, outbox_topics


async def positions(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    roles = (await client.get("/api/duty-roles", headers=headers)).json()
    watch = next(r for r in roles if r["code"] == "DUTY_WATCH")
    assert [p["code"] for p in watch["positions"]] == ["SWK", "DSWK", "QM", "BM", "APS"]
    return {p["code"]: p["id"] for p in watch["positions"]}


async def test_schedule_lifecycle_and_slot_rules(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    plain, member = await login_headers(sessionmaker, level=1, now=api_clock.now())
    ids = await positions(api_client, admin)
    body = {"duty_role_code": "DUTY_WATCH", "week_start_date": "2026-11-26"}  # a Thursday

    assert (await api_client.post("/api/schedules", json=body, headers=plain)).status_code == 403
    created = await api_client.post("/api/schedules", json=body, headers=admin)
    assert created.status_code == 201, created.text
    schedule = created.json()
    assert schedule["week_start_date"] == "2026-11-23" and schedule["status"] == "draft"
    dup = await api_client.post("/api/schedules", json=body, headers=admin)
    assert dup.status_code == 409
    base = f"/api/schedules/{schedule['id']}"
    first = await api_client.post(
        f"{base}/assignments",
        json={"member_id": str(member.id), "duty_position_id": ids["SWK"]},
        headers=admin,
    )
    assert first.status_code == 201
    again = await api_client.post(
        f"{base}/assignments",
        json={"member_id": str(member.id), "duty_position_id": ids["QM"]},
        headers=admin,
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_assigned")
    _, other = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Other")
    full = await api_client.post(
        f"{base}/assignments",
        json={"member_id": str(other.id), "duty_position_id": ids["SWK"]},
        headers=admin,
    )
    assert (full.status_code, full.json()["code"]) == (409, "position_full")
    no_position = await api_client.post(
        f"{base}/assignments", json={"member_id": str(other.id)}, headers=admin
    )
    assert no_position.status_code == 422

    published = await api_client.post(f"{base}/publish", headers=admin)
    assert published.json()["status"] == "published"
    locked = await api_client.delete(f"{base}/assignments/{first.json()['id']}", headers=admin)
    assert locked.status_code == 409
    assert (await api_client.delete(base, headers=admin)).status_code == 409
    assert (await api_client.post(f"{base}/revert-to-draft", headers=admin)).status_code == 200
    assert (await api_client.delete(base, headers=admin)).status_code == 204


async def test_a_dds_schedule_change_republishes_the_dds_state(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    _, dds = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Duty")
    week = week_start(POLICY.operational_date(api_clock.now()))
    created = await api_client.post(
        "/api/schedules",
        json={"duty_role_code": "DDS", "week_start_date": week.isoformat()},
        headers=admin,
    )
    await api_client.post(
        f"/api/schedules/{created.json()['id']}/assignments",
        json={"member_id": str(dds.id)},
        headers=admin,
    )

    current = (await api_client.get("/api/dds/current", headers=admin)).json()

    assert current["scheduled"]["member_id"] == str(dds.id) and current["source"] == "schedule"
    assert (await outbox_topics(sessionmaker)).count(topics.BUILDING_DDS) >= 2


async def test_tonights_team_with_override_and_live_cover(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    api_clock.set(local(2026, 11, 24, 18, 0))  # a Tuesday: a Duty Watch night
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    plain, _ = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Plain")
    people = {}
    for name in ("Qm", "Sub", "Cover"):
        people[name] = (
            await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name=name)
        )[1]
    async with sessionmaker.begin() as s:
        await grant(s, people["Cover"].id, "BM")
        await check_in(s, people["Cover"].id, api_clock.now())
        await check_in(s, people["Sub"].id, api_clock.now())
    ids = await positions(api_client, admin)
    schedule = (
        await api_client.post(
            "/api/schedules",
            json={"duty_role_code": "DUTY_WATCH", "week_start_date": "2026-11-23"},
            headers=admin,
        )
    ).json()
    base = f"/api/schedules/{schedule['id']}"
    await api_client.post(
        f"{base}/assignments",
        json={"member_id": str(people["Qm"].id), "duty_position_id": ids["QM"]},
        headers=admin,
    )
    override = {
        "night_date": "2026-11-24",
        "duty_position_id": ids["QM"],
        "override_type": "replace",
        "base_member_id": str(people["Qm"].id),
        "member_id": str(people["Sub"].id),
    }
    assert (
        await api_client.post(f"{base}/overrides", json=override, headers=plain)
    ).status_code == 403
    wednesday = {**override, "night_date": "2026-11-25"}
    refused = await api_client.post(f"{base}/overrides", json=wednesday, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["details"]["allowed_dates"] == ["2026-11-24", "2026-11-26"]
    assert (
        await api_client.post(f"{base}/overrides", json=override, headers=admin)
    ).status_code == 201
    unqualified = await api_client.post(
        "/api/duty-watch/live-assignments",
        json={"member_id": str(people["Sub"].id), "duty_position_id": ids["BM"]},
        headers=admin,
    )
    assert (unqualified.status_code, unqualified.json()["code"]) == (403, "not_qualified")
    cover = await api_client.post(
        "/api/duty-watch/live-assignments",
        json={"member_id": str(people["Cover"].id), "duty_position_id": ids["BM"]},
        headers=admin,
    )
    assert cover.status_code == 201, cover.text

    tonight = (await api_client.get("/api/duty-watch/tonight", headers=plain)).json()

    assert tonight["is_duty_watch_night"] and tonight["start_time"] == "19:00:00"
    lines = [(t["position_code"], t["member"]["member_id"], t["source"]) for t in tonight["team"]]
    assert lines == [
        ("BM", str(people["Cover"].id), "live_only"),
        ("QM", str(people["Sub"].id), "night_override"),
    ]
    cleared = await api_client.delete(
        f"/api/duty-watch/live-assignments/{cover.json()['id']}", headers=admin
    )
    assert cleared.status_code == 204
    assert (await api_client.get("/api/duty-watch/live-assignments", headers=plain)).json() == []


async def test_rules_decide_the_nights(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    rules = (await api_client.get("/api/duty-watch/rules", headers=admin)).json()
    assert sorted(r["weekday"] for r in rules) == [2, 4]
    monthly = {
        "name": "Last Friday",
        "effective_start_date": "2026-01-05",
        "start_time": "18:00",
        "end_time": "23:00",
        "recurrence": "monthly_nth_weekday",
        "weekday": 5,
    }
    assert (
        await api_client.post("/api/duty-watch/rules", json=monthly, headers=admin)
    ).status_code == 422
    created = await api_client.post(
        "/api/duty-watch/rules", json={**monthly, "ordinal": "last"}, headers=admin
    )
    assert created.status_code == 201, created.text
    api_clock.set(local(2026, 11, 27, 20, 0))  # the last Friday of November 2026
    reply = await api_client.get("/api/duty-watch/tonight", headers=admin)
    assert reply.status_code == 200, reply.text
    tonight = reply.json()
    assert tonight["is_duty_watch_night"] and tonight["start_time"] == "18:00:00"
    assert tonight["operational_date"] == str(date(2026, 11, 27))
    api_clock.set(local(2026, 11, 20, 20, 0))  # the third Friday
    later = (await api_client.get("/api/duty-watch/tonight", headers=admin)).json()
    assert not later["is_duty_watch_night"]
