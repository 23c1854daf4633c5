"""The audit log is queryable by Admins only, with actor and before/after."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.auth import api_key_headers, login_headers


async def test_changes_are_queryable_by_entity_and_actor(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, me = await login_headers(sessionmaker, level=5)
    command, _ = await login_headers(sessionmaker, level=4)
    created = await api_client.post(
        "/api/divisions", json={"code": "TRG", "name": "Training"}, headers=admin
    )
    division = created.json()["id"]
    await api_client.patch(f"/api/divisions/{division}", json={"name": "Trg"}, headers=admin)
    entries = await api_client.get(
        "/api/audit-log", params={"entity_type": "division", "entity_id": division}, headers=admin
    )
    assert entries.status_code == 200
    items = entries.json()["items"]
    assert [e["action"] for e in items] == ["division_update", "division_create"]
    update = items[0]
    assert update["actor_id"] == str(me.id) and update["details"]["before"]["name"] == "Training"
    assert update["details"]["after"]["name"] == "Trg"
    one = await api_client.get(f"/api/audit-log/{update['id']}", headers=admin)
    assert one.json()["action"] == "division_update"
    by_actor = await api_client.get(
        "/api/audit-log", params={"actor_id": str(me.id)}, headers=admin
    )
    assert by_actor.json()["total"] == 2
    assert (await api_client.get("/api/audit-log", headers=command)).status_code == 403
    assert (
        await api_client.get(f"/api/audit-log/{uuid.uuid4()}", headers=admin)
    ).status_code == 404
    key = await api_key_headers(sessionmaker, scopes=["audit:read"])
    assert (await api_client.get("/api/audit-log", headers=key)).status_code == 200
