"""Weekly schedules over HTTP beyond the happy path: listing, notes, assignment upkeep, overrides.

Complements test_schedules_api.py (lifecycle, slots, tonight's team) with the filters and
pages of the list, the 404/409/422 answers, and what confirming, releasing and deleting an
assignment or a night override does to the schedule.
"""

import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.db.models import AuditLog
from tests.fixtures.auth import login_headers

WEEK = "2026-11-23"  # a Monday; its Duty Watch nights are Tuesday 24 and Thursday 26
NEXT_WEEK = "2026-11-30"


async def dw_positions(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    roles = (await client.get("/api/duty-roles", headers=headers)).json()
    watch = next(r for r in roles if r["code"] == "DUTY_WATCH")
    return {p["code"]: p["id"] for p in watch["positions"]}


async def new_schedule(
    client: httpx.AsyncClient, headers: dict[str, str], role: str, week: str
) -> dict[str, object]:
    created = await client.post(
        "/api/schedules", json={"duty_role_code": role, "week_start_date": week}, headers=headers
    )
    assert created.status_code == 201, created.text
    body: dict[str, object] = created.json()
    return body


async def test_list_filters_pages_and_notes(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    plain, _ = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Plain")
    dw_now = await new_schedule(api_client, admin, "DUTY_WATCH", WEEK)
    dw_next = await new_schedule(api_client, admin, "DUTY_WATCH", NEXT_WEEK)
    dds_now = await new_schedule(api_client, admin, "DDS", WEEK)
    await api_client.post(f"/api/schedules/{dw_next['id']}/publish", headers=admin)

    async def ids(**params: str | int) -> tuple[list[str], int]:
        reply = await api_client.get("/api/schedules", params=params, headers=plain)
        assert reply.status_code == 200, reply.text
        return [s["id"] for s in reply.json()["items"]], reply.json()["total"]

    everything, total = await ids()
    assert total == 3 and everything[0] == dw_next["id"]  # newest week first
    assert await ids(duty_role_code="DDS") == ([dds_now["id"]], 1)
    assert await ids(status="published") == ([dw_next["id"]], 1)
    assert await ids(start=NEXT_WEEK) == ([dw_next["id"]], 1)
    assert sorted((await ids(end=WEEK))[0]) == sorted([str(dw_now["id"]), str(dds_now["id"])])
    page, page_total = await ids(limit=1, offset=1)
    assert len(page) == 1 and page_total == 3 and page[0] in {dw_now["id"], dds_now["id"]}
    unknown_role = await api_client.get(
        "/api/schedules", params={"duty_role_code": "NOPE"}, headers=plain
    )
    assert unknown_role.status_code == 404 and unknown_role.json()["code"] == "duty_role_not_found"
    too_big = await api_client.get("/api/schedules", params={"limit": 101}, headers=plain)
    assert too_big.status_code == 422

    url = f"/api/schedules/{dw_now['id']}"
    assert (await api_client.patch(url, json={"notes": "x"}, headers=plain)).status_code == 403
    noted = await api_client.patch(url, json={"notes": "Bring the keys"}, headers=admin)
    assert noted.status_code == 200 and noted.json()["notes"] == "Bring the keys"
    assert (await api_client.get(url, headers=plain)).json()["notes"] == "Bring the keys"
    cleared = await api_client.patch(url, json={"notes": None}, headers=admin)
    assert cleared.json()["notes"] is None

    missing = f"/api/schedules/{uuid.uuid4()}"
    for reply in (
        await api_client.get(missing, headers=plain),
        await api_client.patch(missing, json={"notes": "x"}, headers=admin),
        await api_client.post(f"{missing}/publish", headers=admin),
        await api_client.delete(missing, headers=admin),
        await api_client.get(f"{missing}/overrides", headers=plain),
    ):
        assert (reply.status_code, reply.json()["code"]) == (404, "schedule_not_found")
    twice = await api_client.post(f"/api/schedules/{dw_next['id']}/publish", headers=admin)
    assert (twice.status_code, twice.json()["code"]) == (409, "invalid_status")
    draft = await api_client.post(f"{url}/revert-to-draft", headers=admin)
    assert (draft.status_code, draft.json()["code"]) == (409, "invalid_status")
    bad_role = await api_client.post(
        "/api/schedules", json={"duty_role_code": "NOPE", "week_start_date": WEEK}, headers=admin
    )
    assert bad_role.status_code == 404


async def test_assignments_are_confirmed_released_and_deleted(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    _, first = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="First")
    _, second = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Sec")
    positions = await dw_positions(api_client, admin)
    schedule = await new_schedule(api_client, admin, "DUTY_WATCH", WEEK)
    dds = await new_schedule(api_client, admin, "DDS", WEEK)
    base = f"/api/schedules/{schedule['id']}"

    def body(member: object, position: str | None = "SWK") -> dict[str, object]:
        out: dict[str, object] = {"member_id": str(member)}
        if position:
            out["duty_position_id"] = positions[position]
        return out

    ghost = await api_client.post(f"{base}/assignments", json=body(uuid.uuid4()), headers=admin)
    assert (ghost.status_code, ghost.json()["code"]) == (404, "member_not_found")
    nowhere = await api_client.post(
        f"{base}/assignments",
        json={"member_id": str(first.id), "duty_position_id": str(uuid.uuid4())},
        headers=admin,
    )
    assert (nowhere.status_code, nowhere.json()["code"]) == (404, "duty_position_not_found")
    wrong_role = await api_client.post(
        f"/api/schedules/{dds['id']}/assignments", json=body(first.id), headers=admin
    )
    assert (wrong_role.status_code, wrong_role.json()["code"]) == (422, "position_mismatch")
    dds_member = await api_client.post(
        f"/api/schedules/{dds['id']}/assignments", json=body(first.id, None), headers=admin
    )
    assert dds_member.status_code == 201 and dds_member.json()["duty_position_id"] is None

    made = await api_client.post(f"{base}/assignments", json=body(first.id), headers=admin)
    assert made.status_code == 201 and made.json()["status"] == "assigned"
    one = f"{base}/assignments/{made.json()['id']}"
    confirmed = await api_client.patch(one, json={"status": "confirmed"}, headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed_at"] is not None
    assert confirmed.json()["released_at"] is None
    noted = await api_client.patch(one, json={"notes": "late"}, headers=admin)
    assert noted.json()["notes"] == "late" and noted.json()["status"] == "confirmed"
    full = await api_client.post(f"{base}/assignments", json=body(second.id), headers=admin)
    assert (full.status_code, full.json()["code"]) == (409, "position_full")

    released = await api_client.patch(one, json={"status": "released"}, headers=admin)
    assert released.json()["status"] == "released" and released.json()["released_at"]
    assert released.json()["notes"] == "late"  # notes untouched when not sent
    taken_over = await api_client.post(f"{base}/assignments", json=body(second.id), headers=admin)
    assert taken_over.status_code == 201  # a released slot is free again
    bad_status = await api_client.patch(one, json={"status": "maybe"}, headers=admin)
    assert bad_status.status_code == 422

    elsewhere = f"/api/schedules/{dds['id']}/assignments/{made.json()['id']}"
    for reply in (
        await api_client.patch(elsewhere, json={"notes": "x"}, headers=admin),
        await api_client.delete(elsewhere, headers=admin),
    ):
        assert (reply.status_code, reply.json()["code"]) == (404, "assignment_not_found")
    assert (await api_client.delete(one, headers=admin)).status_code == 204
    left = (await api_client.get(base, headers=admin)).json()["assignments"]
    assert [a["member_id"] for a in left] == [str(second.id)]
    assert (await api_client.delete(one, headers=admin)).status_code == 404
    async with sessionmaker() as s:
        actions = await s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.entity_type == "schedule_assignment")
        )
    assert actions == 7  # 3 created, 3 updated, 1 deleted


async def test_night_override_rules_and_removal(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    plain, base_member = await login_headers(
        sessionmaker, level=1, now=api_clock.now(), last_name="Base"
    )
    _, sub = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Sub")
    positions = await dw_positions(api_client, admin)
    schedule = await new_schedule(api_client, admin, "DUTY_WATCH", WEEK)
    dds = await new_schedule(api_client, admin, "DDS", WEEK)
    url = f"/api/schedules/{schedule['id']}/overrides"
    replace = {
        "night_date": "2026-11-24",
        "duty_position_id": positions["QM"],
        "override_type": "replace",
        "base_member_id": str(base_member.id),
        "member_id": str(sub.id),
    }

    not_dw = await api_client.post(
        f"/api/schedules/{dds['id']}/overrides", json=replace, headers=admin
    )
    assert (not_dw.status_code, not_dw.json()["code"]) == (422, "not_duty_watch")
    half = {k: v for k, v in replace.items() if k != "member_id"}
    missing = await api_client.post(url, json=half, headers=admin)
    assert (missing.status_code, missing.json()["code"]) == (422, "missing_member")
    no_position = await api_client.post(
        url, json={**replace, "duty_position_id": str(uuid.uuid4())}, headers=admin
    )
    assert no_position.status_code == 404
    created = await api_client.post(url, json=replace, headers=admin)
    assert created.status_code == 201, created.text
    dup = await api_client.post(url, json=replace, headers=admin)
    assert (dup.status_code, dup.json()["code"]) == (409, "override_exists")
    add = {
        "night_date": "2026-11-26",
        "duty_position_id": positions["APS"],
        "override_type": "add",
        "member_id": str(sub.id),
        "base_member_id": str(base_member.id),  # ignored for an addition
    }
    added = await api_client.post(url, json=add, headers=admin)
    assert added.status_code == 201 and added.json()["base_member_id"] is None
    remove = {
        "night_date": "2026-11-26",
        "duty_position_id": positions["QM"],
        "override_type": "remove",
        "base_member_id": str(base_member.id),
        "member_id": str(sub.id),  # ignored for a removal
    }
    removed = await api_client.post(url, json=remove, headers=admin)
    assert removed.status_code == 201 and removed.json()["member_id"] is None

    listed = (await api_client.get(url, headers=plain)).json()
    assert [(o["night_date"], o["override_type"]) for o in listed] == [
        ("2026-11-24", "replace"),
        ("2026-11-26", "add"),
        ("2026-11-26", "remove"),
    ]
    one = f"{url}/{created.json()['id']}"
    assert (await api_client.delete(one, headers=plain)).status_code == 403
    assert (await api_client.delete(one, headers=admin)).status_code == 204
    gone = await api_client.delete(one, headers=admin)
    assert (gone.status_code, gone.json()["code"]) == (404, "override_not_found")
    other = await api_client.delete(
        f"/api/schedules/{dds['id']}/overrides/{added.json()['id']}", headers=admin
    )
    assert other.status_code == 404  # an override is deleted only through its own schedule
    assert len((await api_client.get(url, headers=plain)).json()) == 2
