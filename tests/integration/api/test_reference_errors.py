"""Reference data over HTTP beyond the happy path: tags, qualification types, options, divisions,
ranks and a member's qualifications answer 404/409/422 and keep what a PATCH did not send.
"""

import uuid
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from tests.fixtures.auth import login_headers


async def test_tags_and_qualification_types_refuse_unknown_references(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    basic, _ = await login_headers(sessionmaker, level=1)
    diver = (
        await api_client.post(
            "/api/tags", json={"name": "Diver", "description": "Ship's diver"}, headers=admin
        )
    ).json()
    medic = (await api_client.post("/api/tags", json={"name": "Medic"}, headers=admin)).json()
    tag_url = f"/api/tags/{medic['id']}"
    clash = await api_client.patch(tag_url, json={"name": "Diver"}, headers=admin)
    assert (clash.status_code, clash.json()["code"]) == (409, "tag_name_taken")
    kept = await api_client.patch(
        f"/api/tags/{diver['id']}", json={"name": None, "description": None}, headers=admin
    )
    assert (kept.json()["name"], kept.json()["description"]) == ("Diver", None)
    assert (await api_client.patch(tag_url, json={"name": "x"}, headers=basic)).status_code == 403
    assert (await api_client.delete(f"/api/tags/{uuid.uuid4()}", headers=admin)).status_code == 404

    unknown_tag = str(uuid.uuid4())
    orphan = await api_client.post(
        "/api/qualification-types",
        json={"code": "DIVE", "name": "Diver", "tag_id": unknown_tag},
        headers=admin,
    )
    assert (orphan.status_code, orphan.json()["code"]) == (404, "tag_not_found")
    qt = await api_client.post(
        "/api/qualification-types",
        json={"code": "DIVE", "name": "Diver", "tag_id": diver["id"]},
        headers=admin,
    )
    assert qt.status_code == 201, qt.text
    qt_url = f"/api/qualification-types/{qt.json()['id']}"
    retag = await api_client.patch(qt_url, json={"tag_id": unknown_tag}, headers=admin)
    assert (retag.status_code, retag.json()["code"]) == (404, "tag_not_found")
    moved = await api_client.patch(qt_url, json={"tag_id": medic["id"]}, headers=admin)
    assert moved.json()["tag_id"] == medic["id"]
    untagged = await api_client.patch(qt_url, json={"tag_id": None, "name": None}, headers=admin)
    assert (untagged.json()["tag_id"], untagged.json()["name"]) == (None, "Diver")
    missing_qt = f"/api/qualification-types/{uuid.uuid4()}"
    for reply in (
        await api_client.patch(missing_qt, json={"name": "x"}, headers=admin),
        await api_client.delete(missing_qt, headers=admin),
    ):
        assert (reply.status_code, reply.json()["code"]) == (404, "qualification_type_not_found")
    assert (await api_client.delete(qt_url, headers=admin)).status_code == 204  # nobody holds it
    codes = [
        q["code"] for q in (await api_client.get("/api/qualification-types", headers=basic)).json()
    ]
    assert "DIVE" not in codes


async def test_options_divisions_and_ranks_keep_unsent_fields(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    visit = (
        await api_client.post(
            "/api/options/visit-types",
            json={"code": "cadet", "name": "Cadet", "description": "Cadet corps"},
            headers=admin,
        )
    ).json()
    url = f"/api/options/visit-types/{visit['id']}"
    patched = await api_client.patch(
        url, json={"name": None, "description": None, "is_hidden": True}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    # Only member statuses can be hidden; a null name means "leave as is"; description clears.
    assert (patched.json()["name"], patched.json()["description"]) == ("Cadet", None)
    assert patched.json()["is_hidden"] is False
    assert (
        await api_client.delete(f"/api/options/visit-types/{uuid.uuid4()}", headers=admin)
    ).status_code == 404

    division = (
        await api_client.post(
            "/api/divisions",
            json={"code": "band", "name": "Band", "description": "Music"},
            headers=admin,
        )
    ).json()
    d_url = f"/api/divisions/{division['id']}"
    renamed = await api_client.patch(
        d_url, json={"code": "drums", "name": None, "description": None}, headers=admin
    )
    assert (renamed.json()["code"], renamed.json()["name"]) == ("DRUMS", "Band")
    assert renamed.json()["description"] is None
    clash = await api_client.patch(d_url, json={"code": "ops"}, headers=admin)
    assert (clash.status_code, clash.json()["code"]) == (409, "division_code_taken")
    missing = f"/api/divisions/{uuid.uuid4()}"
    assert (await api_client.patch(missing, json={"name": "x"}, headers=admin)).status_code == 404
    assert (await api_client.delete(missing, headers=admin)).status_code == 404

    ranks = (await api_client.get("/api/ranks", headers=admin)).json()
    category = ranks[0]["category"]
    same = (await api_client.get("/api/ranks", params={"category": category}, headers=admin)).json()
    assert same and {r["category"] for r in same} == {category}
    assert len(same) < len(ranks)
    everything = (
        await api_client.get("/api/ranks", params={"include_inactive": True}, headers=admin)
    ).json()
    assert {r["code"] for r in everything} - {r["code"] for r in ranks} >= {"OS"}


async def test_member_qualification_grant_and_revoke_refusals(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    _, holder = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Hold")
    _, other = await login_headers(sessionmaker, level=1, now=api_clock.now(), last_name="Other")
    types = (await api_client.get("/api/qualification-types", headers=admin)).json()
    bm = next(t["id"] for t in types if t["code"] == "BM")
    url = f"/api/members/{holder.id}/qualifications"

    past = (api_clock.now() - timedelta(minutes=1)).isoformat()
    stale = await api_client.post(
        url, json={"qualification_type_id": bm, "expires_at": past}, headers=admin
    )
    assert (stale.status_code, stale.json()["code"]) == (422, "expiry_in_past")
    unknown = await api_client.post(
        url, json={"qualification_type_id": str(uuid.uuid4())}, headers=admin
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "qualification_type_not_found")
    soon = (api_clock.now() + timedelta(hours=1)).isoformat()
    granted = await api_client.post(
        url, json={"qualification_type_id": bm, "expires_at": soon}, headers=admin
    )
    assert granted.status_code == 201 and granted.json()["is_active"] is True

    api_clock.advance(timedelta(hours=2))  # the grant has expired
    listed = (await api_client.get(url, headers=admin)).json()
    assert [(q["code"], q["status"], q["is_active"]) for q in listed] == [("BM", "active", False)]
    renewed = await api_client.post(url, json={"qualification_type_id": bm}, headers=admin)
    assert renewed.status_code == 201 and renewed.json()["id"] == granted.json()["id"]
    assert renewed.json()["is_active"] is True and renewed.json()["expires_at"] is None

    one = granted.json()["id"]
    wrong_member = await api_client.post(
        f"/api/members/{other.id}/qualifications/{one}/revoke", json={"reason": "x"}, headers=admin
    )
    assert (wrong_member.status_code, wrong_member.json()["code"]) == (
        404,
        "qualification_not_found",
    )
    nothing = await api_client.post(
        f"{url}/{uuid.uuid4()}/revoke", json={"reason": "x"}, headers=admin
    )
    assert nothing.status_code == 404
    no_reason = await api_client.post(f"{url}/{one}/revoke", json={"reason": ""}, headers=admin)
    assert no_reason.status_code == 422
    revoked = await api_client.post(f"{url}/{one}/revoke", json={"reason": "left"}, headers=admin)
    assert revoked.json()["status"] == "revoked" and revoked.json()["revoke_reason"] == "left"
    twice = await api_client.post(f"{url}/{one}/revoke", json={"reason": "left"}, headers=admin)
    assert (twice.status_code, twice.json()["code"]) == (409, "qualification_already_revoked")
    ghost = await api_client.get(f"/api/members/{uuid.uuid4()}/qualifications", headers=admin)
    assert ghost.status_code == 404
