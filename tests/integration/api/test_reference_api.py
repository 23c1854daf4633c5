"""Divisions, ranks, option tables, tags, qualification types and settings over HTTP."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_member


async def test_divisions_crud_and_in_use_refusal(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    basic, _ = await login_headers(sessionmaker, level=1)
    body = {"code": "band", "name": "Band"}
    assert (await api_client.post("/api/divisions", json=body, headers=basic)).status_code == 403
    created = await api_client.post("/api/divisions", json=body, headers=admin)
    assert created.status_code == 201 and created.json()["code"] == "BAND"
    dup = await api_client.post("/api/divisions", json=body, headers=admin)
    assert dup.status_code == 409 and dup.json()["code"] == "division_code_taken"
    bad = await api_client.post("/api/divisions", json={"code": "no spaces"}, headers=admin)
    assert bad.status_code == 422
    url = f"/api/divisions/{created.json()['id']}"
    renamed = await api_client.patch(url, json={"name": "Naval Band"}, headers=admin)
    assert renamed.json()["name"] == "Naval Band"
    listed = await api_client.get("/api/divisions", headers=basic)
    assert "BAND" in [d["code"] for d in listed.json()]
    assert (await api_client.delete(url, headers=admin)).status_code == 204
    assert (await api_client.get(url, headers=basic)).status_code == 404
    ops = next(d for d in listed.json() if d["code"] == "OPS")  # the login members' division
    in_use = await api_client.delete(f"/api/divisions/{ops['id']}", headers=admin)
    assert in_use.status_code == 409 and in_use.json()["code"] == "division_in_use"


async def test_ranks_are_ordered_by_seniority_not_code(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    basic, _ = await login_headers(sessionmaker, level=1)
    navy = await api_client.get("/api/ranks", params={"branch": "navy"}, headers=basic)
    codes = [r["code"] for r in navy.json()]
    assert codes[:4] == ["S3", "S2", "S1", "MS"] and codes[-1] == "Adm"
    assert "OS" not in codes  # deprecated ranks are inactive
    one = await api_client.get(f"/api/ranks/{navy.json()[0]['id']}", headers=basic)
    assert one.json()["code"] == "S3"
    assert (await api_client.get(f"/api/ranks/{uuid.uuid4()}", headers=basic)).status_code == 404


async def test_option_tables(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    statuses = (await api_client.get("/api/options/member-statuses", headers=admin)).json()
    active = next(o for o in statuses if o["code"] == "active")
    assert active["usage"] == 1 and active["is_system"]
    archived = next(o for o in statuses if o["code"] == "archived")
    assert archived["is_hidden"] is True
    created = await api_client.post(
        "/api/options/member-statuses",
        json={"code": "on_course", "name": "On course", "is_hidden": True},
        headers=admin,
    )
    assert created.status_code == 201 and created.json()["is_hidden"] is True
    option_url = f"/api/options/member-statuses/{created.json()['id']}"
    async with sessionmaker.begin() as s:
        await make_member(s, status="on_course")
    used = await api_client.delete(option_url, headers=admin)
    assert used.status_code == 409 and used.json()["code"] == "option_in_use"
    protected = await api_client.delete(
        f"/api/options/member-statuses/{active['id']}", headers=admin
    )
    assert protected.status_code == 409 and protected.json()["code"] == "option_protected"
    renamed = await api_client.patch(option_url, json={"chip_color": "warning"}, headers=admin)
    assert renamed.json()["chip_color"] == "warning" and renamed.json()["usage"] == 1
    fixed = await api_client.post(
        "/api/options/badge-statuses", json={"code": "stolen", "name": "Stolen"}, headers=admin
    )
    assert fixed.status_code == 409 and fixed.json()["code"] == "option_codes_fixed"
    visit = await api_client.post(
        "/api/options/visit-types", json={"code": "cadet", "name": "Cadet"}, headers=admin
    )
    assert visit.status_code == 201
    assert (
        await api_client.delete(f"/api/options/visit-types/{visit.json()['id']}", headers=admin)
    ).status_code == 204
    assert (await api_client.get("/api/options/nope", headers=admin)).status_code == 422
    missing = f"/api/options/visit-types/{uuid.uuid4()}"
    assert (await api_client.patch(missing, json={}, headers=admin)).status_code == 404


async def test_tags_and_qualification_types(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    basic, member = await login_headers(sessionmaker, level=1)
    seeded = (await api_client.get("/api/tags", headers=basic)).json()
    assert {"DDS", "Commanding Officer"} <= {t["name"] for t in seeded}
    tag = await api_client.post("/api/tags", json={"name": "Diver"}, headers=admin)
    assert tag.status_code == 201
    assert (
        await api_client.post("/api/tags", json={"name": "Diver"}, headers=admin)
    ).status_code == 409
    qt = await api_client.post(
        "/api/qualification-types",
        json={
            "code": "DIVE",
            "name": "Diver",
            "can_receive_lockup": False,
            "tag_id": tag.json()["id"],
        },
        headers=admin,
    )
    assert qt.status_code == 201 and qt.json()["tag_id"] == tag.json()["id"]
    assert (
        await api_client.post(
            "/api/qualification-types", json={"code": "DIVE", "name": "x"}, headers=admin
        )
    ).status_code == 409
    qt_url = f"/api/qualification-types/{qt.json()['id']}"
    await api_client.post(
        f"/api/members/{member.id}/qualifications",
        json={"qualification_type_id": qt.json()["id"]},
        headers=admin,
    )
    held = await api_client.delete(qt_url, headers=admin)
    assert held.status_code == 409 and held.json()["code"] == "qualification_type_in_use"
    assert (
        await api_client.delete(f"/api/tags/{tag.json()['id']}", headers=admin)
    ).status_code == 204
    after = (await api_client.patch(qt_url, json={"display_order": 7}, headers=admin)).json()
    assert after["tag_id"] is None and after["display_order"] == 7
    assert (
        await api_client.patch(f"/api/tags/{uuid.uuid4()}", json={}, headers=admin)
    ).status_code == 404


async def test_settings_store_json_values(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    basic, _ = await login_headers(sessionmaker, level=1)
    value = {"ssids": ["unit-net"], "enabled": True}
    url = "/api/settings/network.approved_ssids"
    assert (await api_client.put(url, json={"value": value}, headers=basic)).status_code == 403
    put = await api_client.put(
        url, json={"value": value, "category": "integrations"}, headers=admin
    )
    assert put.status_code == 200 and put.json()["value"] == value
    got = await api_client.get(url, headers=basic)
    assert got.json()["category"] == "integrations"
    listed = await api_client.get(
        "/api/settings", params={"category": "integrations"}, headers=basic
    )
    assert [s["key"] for s in listed.json()] == ["network.approved_ssids"]
    bad_key = await api_client.put("/api/settings/Bad Key", json={"value": 1}, headers=admin)
    assert bad_key.status_code == 422
    assert (await api_client.delete(url, headers=admin)).status_code == 204
    assert (await api_client.get(url, headers=basic)).status_code == 404
    assert (await api_client.delete(url, headers=admin)).status_code == 404
