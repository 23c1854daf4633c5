"""Changing badges over HTTP: new serials, status changes, a lent badge that cannot be retired,
and the list's search, filters and sort (domain.md §1.2).
"""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.models import AuditLog
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_badge, make_member


async def test_serial_and_status_changes(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    qm, _ = await login_headers(sessionmaker, level=2)
    async with sessionmaker.begin() as s:
        holder = await make_member(s, uid="0C0C0C0C", last_name="Holder")
    first = (
        await api_client.post("/api/badges", json={"serial_number": "11111111"}, headers=qm)
    ).json()
    await api_client.post("/api/badges", json={"serial_number": "22222222"}, headers=qm)
    url = f"/api/badges/{first['id']}"

    renamed = await api_client.patch(url, json={"serial_number": "aa:bb:cc:dd:ee"}, headers=qm)
    assert renamed.status_code == 200 and renamed.json()["serial_number"] == "AABBCCDDEE"
    taken = await api_client.patch(url, json={"serial_number": "22-22-22-22"}, headers=qm)
    assert (taken.status_code, taken.json()["code"]) == (409, "badge_serial_taken")
    junk = await api_client.patch(url, json={"serial_number": "xyz"}, headers=qm)
    assert (junk.status_code, junk.json()["code"]) == (422, "badge_serial_invalid")
    assert (await api_client.get(url, headers=qm)).json()["serial_number"] == "AABBCCDDEE"

    lost = await api_client.patch(
        f"/api/badges/{holder.badge_id}", json={"status": "lost"}, headers=qm
    )
    assert lost.json()["status"] == "lost"
    assert lost.json()["member_id"] == str(holder.id)  # only decommissioning unassigns
    assert lost.json()["member_display_name"] == holder.display_name
    async with sessionmaker() as s:
        actions = sorted(
            await s.scalars(select(AuditLog.action).where(AuditLog.entity_type == "badge"))
        )
    # The refused changes (taken serial, bad serial) left no audit entry behind.
    assert actions == ["badge_create", "badge_create", "badge_status_change", "badge_update"]


async def test_a_lent_badge_cannot_be_retired_until_the_visit_ends(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    qm, _ = await login_headers(sessionmaker, level=2)
    async with sessionmaker.begin() as s:
        badge = await make_badge(s, uid="5E5E5E5E", assignment="visitor")
    visit = await api_client.post(
        "/api/visitors",
        json={"first_name": "Pat", "last_name": "Guest", "temporary_badge_id": str(badge)},
        headers=qm,
    )
    url = f"/api/badges/{badge}"

    busy = await api_client.patch(url, json={"status": "decommissioned"}, headers=qm)
    assert (busy.status_code, busy.json()["code"]) == (409, "badge_in_use")
    assert (await api_client.get(url, headers=qm)).json()["status"] == "active"
    await api_client.post(f"/api/visitors/{visit.json()['id']}/checkout", headers=qm)
    retired = await api_client.patch(url, json={"status": "decommissioned"}, headers=qm)
    assert retired.status_code == 200 and retired.json()["status"] == "decommissioned"
    assert retired.json()["assignment_type"] == "visitor"  # stays in the pool's history


async def test_list_search_filters_and_sort(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    qm, _ = await login_headers(sessionmaker, level=2, last_name="Quarter")
    async with sessionmaker.begin() as s:
        await make_member(s, uid="A0000001", last_name="Zephyr")
        await make_badge(s, uid="B0000002", assignment="visitor")
        await make_badge(s, uid="C0000003")
        await make_badge(s, uid="D000_4%5")  # odd characters must not act as wildcards

    async def serials(**params: str | int) -> tuple[list[str], int]:
        reply = await api_client.get("/api/badges", params=params, headers=qm)
        assert reply.status_code == 200, reply.text
        return [b["serial_number"] for b in reply.json()["items"]], reply.json()["total"]

    assert await serials(q="zeph") == (["A0000001"], 1)  # by holder's name
    assert await serials(q="c00000") == (["C0000003"], 1)
    assert await serials(q="_4%") == (["D000_4%5"], 1)
    assert await serials(q="0_0") == ([], 0)
    assert await serials(assignment_type="visitor") == (["B0000002"], 1)
    everyone, total = await serials(sort="serial_number", order="desc")
    assert everyone == sorted(everyone, reverse=True) and total == 5  # the login's badge too
    page, _ = await serials(sort="serial_number", page=2, page_size=2)
    assert page == sorted(everyone)[2:4]
    assert (
        await api_client.get("/api/badges", params={"sort": "uid"}, headers=qm)
    ).status_code == 422
