"""Badges over HTTP: canonical serials, assignment rules, decommission instead of delete."""

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.domain.checkin import Direction, Method
from shared.store.checkins import NewCheckin, insert_checkins
from tests.fixtures.auth import login_headers
from tests.fixtures.database import lock_waiter
from tests.fixtures.factories import MadeMember, make_member


async def test_create_normalises_the_serial_and_refuses_duplicates(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    qm, _ = await login_headers(sessionmaker, level=2)
    basic, _ = await login_headers(sessionmaker, level=1)
    created = await api_client.post(
        "/api/badges", json={"serial_number": "04:a1:b2:c3:d4:e5:f6"}, headers=qm
    )
    assert created.status_code == 201, created.text
    assert created.json()["serial_number"] == "04A1B2C3D4E5F6"
    assert created.json()["assignment_type"] == "unassigned"
    dup = await api_client.post("/api/badges", json={"serial_number": "04a1b2c3d4e5f6"}, headers=qm)
    assert dup.status_code == 409 and dup.json()["code"] == "badge_serial_taken"
    bad = await api_client.post("/api/badges", json={"serial_number": "hello"}, headers=qm)
    assert bad.status_code == 422 and bad.json()["code"] == "badge_serial_invalid"
    assert (
        await api_client.post("/api/badges", json={"serial_number": "AABBCCDD"}, headers=basic)
    ).status_code == 403
    found = await api_client.get("/api/badges/by-serial/04-A1-B2-C3-D4-E5-F6", headers=qm)
    assert found.json()["id"] == created.json()["id"]
    assert (await api_client.get("/api/badges/by-serial/FFFFFFFF", headers=qm)).status_code == 404


async def test_assign_unassign_and_decommission(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    qm, _ = await login_headers(sessionmaker, level=2)
    async with sessionmaker.begin() as s:
        holder = await make_member(s)
    badge = (
        await api_client.post("/api/badges", json={"serial_number": "A1B2C3D4"}, headers=qm)
    ).json()
    url = f"/api/badges/{badge['id']}"
    taken = await api_client.post(f"{url}/assign", json={"member_id": str(holder.id)}, headers=qm)
    assert taken.status_code == 409 and taken.json()["code"] == "member_has_badge"
    async with sessionmaker.begin() as s:
        newcomer = await make_member(s, uid="0A0B0C0D")
    await api_client.post(f"/api/badges/{holder.badge_id}/unassign", headers=qm)
    assigned = await api_client.post(
        f"{url}/assign", json={"member_id": str(newcomer.id)}, headers=qm
    )
    assert assigned.status_code == 409  # newcomer already holds 0A0B0C0D
    given = await api_client.post(f"{url}/assign", json={"member_id": str(holder.id)}, headers=qm)
    assert given.status_code == 200 and given.json()["member_id"] == str(holder.id)
    twice = await api_client.post(f"{url}/assign", json={"member_id": str(holder.id)}, headers=qm)
    assert twice.json()["code"] == "badge_already_assigned"
    retired = await api_client.patch(url, json={"status": "decommissioned"}, headers=qm)
    assert retired.json()["member_id"] is None and retired.json()["status"] == "decommissioned"
    again = await api_client.post(f"{url}/assign", json={"member_id": str(holder.id)}, headers=qm)
    assert again.status_code == 409 and again.json()["code"] == "badge_decommissioned"
    assert (await api_client.post(f"{url}/unassign", headers=qm)).status_code == 409
    nobody = await api_client.post(
        f"{url}/assign", json={"member_id": str(uuid.uuid4())}, headers=qm
    )
    assert nobody.status_code == 404
    listed = await api_client.get("/api/badges", params={"status": "decommissioned"}, headers=qm)
    assert [b["id"] for b in listed.json()["items"]] == [badge["id"]]


async def test_used_badge_cannot_be_deleted(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    qm, _ = await login_headers(sessionmaker, level=2)
    async with sessionmaker.begin() as s:
        member = await make_member(s)
        await insert_checkins(s, [_tap(member)])
    url = f"/api/badges/{member.badge_id}"
    assigned = await api_client.delete(url, headers=qm)
    assert assigned.status_code == 409 and assigned.json()["code"] == "badge_assigned"
    used = await api_client.delete(url, params={"unassign_first": True}, headers=qm)
    assert used.status_code == 409 and used.json()["code"] == "badge_has_history"
    fresh = (
        await api_client.post("/api/badges", json={"serial_number": "CAFEF00D"}, headers=qm)
    ).json()
    assert (await api_client.delete(f"/api/badges/{fresh['id']}", headers=qm)).status_code == 204
    assert (await api_client.get(f"/api/badges/{fresh['id']}", headers=qm)).status_code == 404


async def test_a_badge_deleted_while_its_tap_is_being_written_is_refused_as_used(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    qm, _ = await login_headers(sessionmaker, level=2)
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    url = f"/api/badges/{member.badge_id}"
    async with sessionmaker.begin() as writing:
        await insert_checkins(writing, [_tap(member)])  # not committed: the count sees nothing
        delete = asyncio.create_task(
            api_client.delete(url, params={"unassign_first": True}, headers=qm)
        )
        await lock_waiter(database_url)  # the delete's check waits for the tap's transaction
    refused = await delete
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "badge_has_history"
    kept = await api_client.get(url, headers=qm)
    assert kept.status_code == 200 and kept.json()["member_id"] == str(member.id)


def _tap(member: MadeMember) -> NewCheckin:
    """A check-in of the member's badge on a reader."""
    return NewCheckin(
        uuid.uuid4(),
        datetime.now(UTC),
        Direction.IN,
        "rdr-1",
        Method.BADGE,
        member.id,
        badge_id=member.badge_id,
    )
