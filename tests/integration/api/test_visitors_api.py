"""Visitors over HTTP: validation, temporary badges released on sign-out, no double checkout."""

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.contracts import topics
from shared.db.models import OutboxMessage
from tests.fixtures.auth import api_key_headers, login_headers
from tests.fixtures.factories import make_badge

GUEST = {"first_name": "Pat", "last_name": "Visitor", "visit_type": "guest"}


async def test_sign_in_validates_by_visit_type(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    desk, _ = await login_headers(sessionmaker, level=2)
    military = await api_client.post(
        "/api/visitors", json={**GUEST, "visit_type": "military"}, headers=desk
    )
    assert military.status_code == 422 and military.json()["code"] == "visitor_invalid"
    fields = {e["field"] for e in military.json()["details"]["errors"]}
    assert fields == {"rank_prefix", "unit"}
    contractor = await api_client.post(
        "/api/visitors",
        json={
            **GUEST,
            "visit_type": "contractor",
            "organization": "ACME",
            "visit_purpose": "other",
            "purpose_details": "fixing HVAC",
        },
        headers=desk,
    )
    assert contractor.status_code == 201, contractor.text
    assert contractor.json()["visit_reason"] == (
        "Contractor visit for ACME | Other visit purpose | fixing HVAC"
    )
    assert contractor.json()["display_name"] == "Visitor, P"
    unknown = await api_client.post(
        "/api/visitors", json={**GUEST, "visit_type": "alien"}, headers=desk
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "visit_type_unknown"


async def test_temporary_badge_is_released_on_sign_out_and_checkout_is_once(
    api_client: httpx.AsyncClient,
    api_clock: FrozenClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    desk, _ = await login_headers(sessionmaker, level=2)
    async with sessionmaker.begin() as s:
        badge_id = await make_badge(s, uid="B0B0B0B0", assignment="visitor")
    first = await api_client.post(
        "/api/visitors", json={**GUEST, "temporary_badge_id": str(badge_id)}, headers=desk
    )
    assert first.status_code == 201 and first.json()["temporary_badge_serial"] == "B0B0B0B0"
    second = await api_client.post(
        "/api/visitors", json={**GUEST, "temporary_badge_id": str(badge_id)}, headers=desk
    )
    assert second.status_code == 409 and second.json()["code"] == "badge_in_use"
    badge = (await api_client.get(f"/api/badges/{badge_id}", headers=desk)).json()
    assert badge["visitor_id"] == first.json()["id"]
    api_clock.advance(timedelta(hours=1))
    out = await api_client.post(f"/api/visitors/{first.json()['id']}/checkout", headers=desk)
    assert out.status_code == 200 and out.json()["check_out_at"] is not None
    again = await api_client.post(f"/api/visitors/{first.json()['id']}/checkout", headers=desk)
    assert again.status_code == 409 and again.json()["code"] == "visitor_already_signed_out"
    assert (await api_client.get(f"/api/badges/{badge_id}", headers=desk)).json()[
        "visitor_id"
    ] is None
    reuse = await api_client.post(
        "/api/visitors", json={**GUEST, "temporary_badge_id": str(badge_id)}, headers=desk
    )
    assert reuse.status_code == 201
    async with sessionmaker() as s:
        sent = list(await s.scalars(select(OutboxMessage.topic)))
    assert sent.count(topics.CHECKIN_EVENTS) == 3 and topics.PRESENCE_SUMMARY in sent


async def test_lend_and_release_during_a_visit(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    desk, _ = await login_headers(sessionmaker, level=2)
    async with sessionmaker.begin() as s:
        await make_badge(s, uid="C0C0C0C0")
        await make_badge(s, uid="E0E0E0E0")
        member_badge = await make_badge(s, uid="D0D0D0D0", assignment="member")
    visit = (await api_client.post("/api/visitors", json=GUEST, headers=desk)).json()
    url = f"/api/visitors/{visit['id']}/badge"
    refused = await api_client.post(url, json={"badge_id": str(member_badge)}, headers=desk)
    assert refused.json()["code"] == "badge_not_for_visitors"
    lent = await api_client.post(url, json={"serial_number": "c0:c0:c0:c0"}, headers=desk)
    assert lent.status_code == 200 and lent.json()["temporary_badge_serial"] == "C0C0C0C0"
    neither = await api_client.post(url, json={}, headers=desk)
    assert neither.status_code == 422 and neither.json()["code"] == "badge_reference"
    second = await api_client.post(url, json={"serial_number": "E0E0E0E0"}, headers=desk)
    assert second.status_code == 409 and second.json()["code"] == "visitor_has_badge"
    assert (await api_client.delete(url, headers=desk)).json()["temporary_badge_id"] is None
    assert (await api_client.delete(url, headers=desk)).status_code == 409
    assert (
        await api_client.post(f"/api/visitors/{uuid.uuid4()}/badge", json={}, headers=desk)
    ).status_code == 404


async def test_lists_corrections_and_kiosk_keys(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    basic, _ = await login_headers(sessionmaker, level=1)
    admin, _ = await login_headers(sessionmaker, level=5)
    kiosk = await api_key_headers(sessionmaker, scopes=["visitors:write", "visitors:read"])
    signed = await api_client.post("/api/visitors", json=GUEST, headers=kiosk)
    assert signed.status_code == 201 and signed.json()["check_in_method"] == "kiosk_self_service"
    assert (await api_client.post("/api/visitors", json=GUEST, headers=basic)).status_code == 403
    active = await api_client.get("/api/visitors/active", headers=basic)
    assert [v["id"] for v in active.json()["items"]] == [signed.json()["id"]]
    assert (await api_client.get("/api/visitors", headers=basic)).status_code == 403
    url = f"/api/visitors/{signed.json()['id']}"
    fix = await api_client.patch(
        url, json={"last_name": "Guest", "rank_prefix": "Dr"}, headers=admin
    )
    assert fix.status_code == 200 and fix.json()["display_name"] == "Dr Guest, P"
    assert (await api_client.patch(url, json={"last_name": "x"}, headers=kiosk)).status_code == 403
    future = await api_client.patch(
        url, json={"check_in_at": "2999-01-01T00:00:00Z"}, headers=admin
    )
    assert future.status_code == 422
    naive = await api_client.post(
        "/api/visitors", json={**GUEST, "check_in_at": "2026-01-01T10:00:00"}, headers=admin
    )
    assert naive.status_code == 422
    assert (await api_client.get(f"/api/visitors/{uuid.uuid4()}", headers=admin)).status_code == 404
