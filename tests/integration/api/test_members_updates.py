"""Changing members over HTTP: level ceilings, no self-lockout, required fields, and what a
status change does to the member's sessions and presence (domain.md §1.2, §10.2, §10.3.6).
"""

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from shared.db.models import AuditLog, OutboxMessage
from tests.fixtures.auth import login_headers


async def test_levels_self_changes_and_required_fields(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, me = await login_headers(sessionmaker, level=5)
    _, basic = await login_headers(sessionmaker, level=1, last_name="Basic")
    _, developer = await login_headers(sessionmaker, level=6, last_name="Dev")
    basic_url, my_url = f"/api/members/{basic.id}", f"/api/members/{me.id}"

    above = await api_client.patch(basic_url, json={"account_level": 6}, headers=admin)
    assert (above.status_code, above.json()["code"]) == (403, "forbidden")
    raised = await api_client.patch(basic_url, json={"account_level": 4}, headers=admin)
    assert raised.status_code == 200 and raised.json()["account_level"] == 4
    senior = await api_client.patch(
        f"/api/members/{developer.id}", json={"first_name": "Dana"}, headers=admin
    )
    assert senior.status_code == 403  # nobody edits an account above their own level

    for change in ({"account_level": 4}, {"status": "inactive"}):
        refused = await api_client.patch(my_url, json=change, headers=admin)
        assert (refused.status_code, refused.json()["code"]) == (409, "cannot_change_self")
    same = await api_client.patch(
        my_url, json={"account_level": 5, "first_name": "Alex"}, headers=admin
    )
    assert same.status_code == 200 and same.json()["first_name"] == "Alex"

    for field in ("first_name", "last_name", "division_id", "member_type", "status"):
        nulled = await api_client.patch(basic_url, json={field: None}, headers=admin)
        assert (nulled.status_code, nulled.json()["code"]) == (422, "field_required"), field
    unknown = await api_client.patch(basic_url, json={"status": "on_leave"}, headers=admin)
    assert (unknown.status_code, unknown.json()["code"]) == (422, "member_status_unknown")
    rank = await api_client.patch(basic_url, json={"rank": "General"}, headers=admin)
    assert (rank.status_code, rank.json()["code"]) == (422, "rank_unknown")
    promoted = await api_client.patch(basic_url, json={"rank": "po2"}, headers=admin)
    assert promoted.json()["display_name"].startswith("PO2 ")


async def test_deactivation_ends_sessions_and_archiving_is_idempotent(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    theirs, member = await login_headers(sessionmaker, level=1, last_name="Leaving")
    url = f"/api/members/{member.id}"
    assert (await api_client.get("/api/auth/session", headers=theirs)).status_code == 200

    inactive = await api_client.patch(url, json={"status": "inactive"}, headers=admin)
    assert inactive.status_code == 200 and inactive.json()["status"] == "inactive"
    assert (await api_client.get("/api/auth/session", headers=theirs)).status_code == 401
    async with sessionmaker() as s:
        sent = list(await s.scalars(select(OutboxMessage.topic)))
    assert topics.presence_member(member.id) in sent

    back = await api_client.patch(url, json={"status": "active"}, headers=admin)
    assert back.status_code == 200 and back.json()["status"] == "active"
    assert (await api_client.get("/api/auth/session", headers=theirs)).status_code == 401

    assert (await api_client.delete(url, headers=admin)).status_code == 204
    assert (await api_client.delete(url, headers=admin)).status_code == 204
    async with sessionmaker() as s:
        archived = await s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "member_delete", AuditLog.entity_id == str(member.id))
        )
    assert archived == 1  # the second archive changed nothing
