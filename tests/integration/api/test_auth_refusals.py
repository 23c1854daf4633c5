"""Auth requests that are refused: API keys have no session or PIN, Admins reset others' PINs
only, a new PIN must differ from the old one, and revoked keys stay revoked (domain.md §10).
"""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.auth import api_key_headers, login_headers


async def test_an_api_key_has_no_session_and_no_pin(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    key = await api_key_headers(sessionmaker, scopes=["members:read", "badges:read"], name="kiosk")

    me = await api_client.get("/api/auth/session", headers=key)
    assert me.status_code == 200
    assert me.json() | {"display_name": None} == {
        "kind": "api_key",
        "member_id": None,
        "display_name": None,
        "level": 0,
        "scopes": ["badges:read", "members:read"],
        "must_change_pin": False,
        "session_id": None,
        "expires_at": None,
    }
    logout = await api_client.post("/api/auth/logout", headers=key)
    assert (logout.status_code, logout.json()["code"]) == (409, "not_a_session")
    pin = await api_client.post("/api/auth/change-pin", json={"new_pin": "3691"}, headers=key)
    assert (pin.status_code, pin.json()["code"]) == (409, "not_a_member")
    admin_only = await api_client.get("/api/auth/sessions", headers=key)
    assert (admin_only.status_code, admin_only.json()["code"]) == (403, "forbidden")
    assert (await api_client.get("/api/members", headers=key)).status_code == 200  # still valid


async def test_pin_resets_and_changes_that_are_refused(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, me = await login_headers(sessionmaker, level=5)
    old, member = await login_headers(sessionmaker, level=1, last_name="Forgetful")

    own = await api_client.post("/api/auth/set-pin", json={"member_id": str(me.id)}, headers=admin)
    assert (own.status_code, own.json()["code"]) == (409, "use_change_pin")
    easy = await api_client.post(
        "/api/auth/set-pin", json={"member_id": str(member.id), "pin": "1111"}, headers=admin
    )
    assert (easy.status_code, easy.json()["code"]) == (422, "pin_disallowed")
    chosen = await api_client.post(
        "/api/auth/set-pin", json={"member_id": str(member.id), "pin": "4826"}, headers=admin
    )
    assert chosen.status_code == 200 and chosen.json()["temporary_pin"] == "4826"
    assert (await api_client.get("/api/auth/session", headers=old)).status_code == 401

    signed_in = await api_client.post(
        "/api/auth/login", json={"serial_number": member.uid, "pin": "4826"}
    )
    assert signed_in.status_code == 200, signed_in.text
    api_client.cookies.clear()
    theirs = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    same = await api_client.post("/api/auth/change-pin", json={"new_pin": "4826"}, headers=theirs)
    assert (same.status_code, same.json()["code"]) == (422, "pin_unchanged")
    assert (await api_client.get("/api/auth/session", headers=theirs)).json()["must_change_pin"]
    changed = await api_client.post(
        "/api/auth/change-pin", json={"new_pin": "3691"}, headers=theirs
    )
    assert changed.status_code == 204
    after = await api_client.get("/api/auth/session", headers=theirs)
    assert after.status_code == 200 and after.json()["must_change_pin"] is False

    missing = await api_client.delete(f"/api/auth/api-keys/{uuid.uuid4()}", headers=admin)
    assert (missing.status_code, missing.json()["code"]) == (404, "api_key_not_found")
    history = await api_client.get(
        "/api/auth/sessions",
        params={"member_id": str(member.id), "active_only": False},
        headers=admin,
    )
    # The reset ended the old session; the one that changed the PIN stays open.
    assert sorted((s["end_reason"] or "open") for s in history.json()) == ["open", "pin_reset"]
