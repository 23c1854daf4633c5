"""Visitors over HTTP beyond the happy path: refused sign-ins and sign-outs, badge lending
errors, list filters and admin corrections (domain.md §7.3).
"""

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.contracts import topics
from shared.db.models import OutboxMessage, Visitor
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_badge

GUEST = {"first_name": "Pat", "last_name": "Visitor", "visit_type": "guest"}


async def visitors_in_db(sm: async_sessionmaker[AsyncSession]) -> int:
    async with sm() as s:
        return int(await s.scalar(select(func.count()).select_from(Visitor)) or 0)


async def test_refused_sign_ins_leave_no_visit_behind(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    desk, host = await login_headers(sessionmaker, level=2, now=api_clock.now())
    now = api_clock.now()

    no_host = await api_client.post(
        "/api/visitors", json={**GUEST, "host_member_id": str(uuid.uuid4())}, headers=desk
    )
    assert (no_host.status_code, no_host.json()["code"]) == (422, "host_member_unknown")
    future = await api_client.post(
        "/api/visitors",
        json={**GUEST, "check_in_at": (now + timedelta(minutes=5)).isoformat()},
        headers=desk,
    )
    assert (future.status_code, future.json()["code"]) == (422, "at_in_future")
    no_badge = await api_client.post(
        "/api/visitors", json={**GUEST, "temporary_badge_id": str(uuid.uuid4())}, headers=desk
    )
    assert (no_badge.status_code, no_badge.json()["code"]) == (404, "badge_not_found")
    assert await visitors_in_db(sessionmaker) == 0  # the failed lend rolled the sign-in back

    earlier = now - timedelta(hours=1)
    hosted = await api_client.post(
        "/api/visitors",
        json={
            **GUEST,
            "host_member_id": str(host.id),
            "check_in_at": earlier.isoformat(),
            "visit_reason": "Meeting the XO",
        },
        headers=desk,
    )
    assert hosted.status_code == 201, hosted.text
    visit = hosted.json()
    assert visit["host_member_id"] == str(host.id)
    assert visit["visit_reason"] == "Meeting the XO"  # given, so not composed
    assert visit["check_in_at"].startswith(earlier.strftime("%Y-%m-%dT%H:%M"))

    out = f"/api/visitors/{visit['id']}/checkout"
    for when in (earlier - timedelta(minutes=1), now + timedelta(minutes=1)):
        refused = await api_client.post(out, json={"at": when.isoformat()}, headers=desk)
        assert (refused.status_code, refused.json()["code"]) == (422, "at_out_of_range")
    left_at = earlier + timedelta(minutes=30)
    signed_out = await api_client.post(out, json={"at": left_at.isoformat()}, headers=desk)
    assert signed_out.status_code == 200
    assert signed_out.json()["check_out_at"].startswith(left_at.strftime("%Y-%m-%dT%H:%M"))
    missing = await api_client.post(f"/api/visitors/{uuid.uuid4()}/checkout", headers=desk)
    assert (missing.status_code, missing.json()["code"]) == (404, "visitor_not_found")


async def test_badge_lending_refusals(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    desk, _ = await login_headers(sessionmaker, level=2)
    async with sessionmaker.begin() as s:
        spare = await make_badge(s, uid="A1A1A1A1", assignment="visitor")
        retired = await make_badge(s, uid="A2A2A2A2", status="decommissioned")
    visit = (await api_client.post("/api/visitors", json=GUEST, headers=desk)).json()
    url = f"/api/visitors/{visit['id']}/badge"

    unknown_id = await api_client.post(url, json={"badge_id": str(uuid.uuid4())}, headers=desk)
    assert (unknown_id.status_code, unknown_id.json()["code"]) == (404, "badge_not_found")
    unknown_serial = await api_client.post(url, json={"serial_number": "FFFF0000"}, headers=desk)
    assert (unknown_serial.status_code, unknown_serial.json()["code"]) == (404, "badge_not_found")
    bad_serial = await api_client.post(url, json={"serial_number": "not-hex"}, headers=desk)
    assert (bad_serial.status_code, bad_serial.json()["code"]) == (422, "badge_serial_invalid")
    both = await api_client.post(
        url, json={"badge_id": str(spare), "serial_number": "A1A1A1A1"}, headers=desk
    )
    assert (both.status_code, both.json()["code"]) == (422, "badge_reference")
    inactive = await api_client.post(url, json={"badge_id": str(retired)}, headers=desk)
    assert (inactive.status_code, inactive.json()["code"]) == (409, "badge_inactive")
    no_badge = await api_client.delete(url, headers=desk)
    assert (no_badge.status_code, no_badge.json()["code"]) == (409, "visitor_has_no_badge")

    await api_client.post(f"/api/visitors/{visit['id']}/checkout", headers=desk)
    late = await api_client.post(url, json={"badge_id": str(spare)}, headers=desk)
    assert (late.status_code, late.json()["code"]) == (409, "visitor_signed_out")
    badge = (await api_client.get(f"/api/badges/{spare}", headers=desk)).json()
    assert badge["visitor_id"] is None


async def test_list_filters_and_admin_corrections(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, host = await login_headers(sessionmaker, level=5, now=api_clock.now())
    now = api_clock.now()
    made = []
    for hours_ago, kind, hosted in ((5, "guest", False), (3, "official", True), (1, "guest", True)):
        body = {
            **GUEST,
            "last_name": f"V{hours_ago}",
            "visit_type": kind,
            "check_in_at": (now - timedelta(hours=hours_ago)).isoformat(),
        }
        if hosted:
            body["host_member_id"] = str(host.id)
        reply = await api_client.post("/api/visitors", json=body, headers=admin)
        assert reply.status_code == 201, reply.text
        made.append(reply.json())

    async def names(**params: str | int) -> tuple[list[str], int]:
        page = (await api_client.get("/api/visitors", params=params, headers=admin)).json()
        return [v["last_name"] for v in page["items"]], page["total"]

    assert await names() == (["V1", "V3", "V5"], 3)  # newest sign-in first
    assert await names(visit_type="guest") == (["V1", "V5"], 2)
    assert await names(host_member_id=str(host.id)) == (["V1", "V3"], 2)
    since = (now - timedelta(hours=4)).isoformat()
    until = (now - timedelta(hours=2)).isoformat()
    assert await names(since=since, until=until) == (["V3"], 1)
    assert await names(page=2, page_size=2) == (["V5"], 3)
    assert (
        await api_client.get(
            "/api/visitors", params={"since": "2026-01-01T00:00:00"}, headers=admin
        )
    ).status_code == 422

    url = f"/api/visitors/{made[0]['id']}"
    for field in ("first_name", "visit_type", "check_in_at"):
        nulled = await api_client.patch(url, json={field: None}, headers=admin)
        assert (nulled.status_code, nulled.json()["code"]) == (422, "field_required"), field
    before_in = now - timedelta(hours=6)
    backwards = await api_client.patch(
        url, json={"check_out_at": before_in.isoformat()}, headers=admin
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "at_out_of_range")
    assert (
        await api_client.patch(f"/api/visitors/{uuid.uuid4()}", json={}, headers=admin)
    ).status_code == 404

    async with sessionmaker() as s:
        summaries = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.topic == topics.PRESENCE_SUMMARY)
        )
    left = (now - timedelta(hours=4)).isoformat()
    corrected = await api_client.patch(url, json={"check_out_at": left}, headers=admin)
    assert corrected.status_code == 200, corrected.text
    active = (await api_client.get("/api/visitors/active", headers=admin)).json()
    assert [v["last_name"] for v in active["items"]] == ["V1", "V3"]
    async with sessionmaker() as s:
        after = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.topic == topics.PRESENCE_SUMMARY)
        )
    assert after == (summaries or 0) + 1  # presence republished: one fewer visitor inside


async def test_correcting_to_an_unknown_visit_type_is_refused(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    visit = (await api_client.post("/api/visitors", json=GUEST, headers=admin)).json()

    reply = await api_client.patch(
        f"/api/visitors/{visit['id']}", json={"visit_type": "alien"}, headers=admin
    )

    assert (reply.status_code, reply.json()["code"]) == (422, "visit_type_unknown")
