"""Members over HTTP: list/filter/sort/page, create, update, archive, tags, qualifications."""

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from shared.db.models import AuditLog, Division, Member, OutboxMessage, Tag
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_division, make_member


async def division_id(sm: async_sessionmaker[AsyncSession], code: str = "OPS") -> str:
    async with sm.begin() as s:
        return str(await make_division(s, code))


def new_member(division: str, **kw: object) -> dict[str, object]:
    body: dict[str, object] = {
        "service_number": f"X{uuid.uuid4().hex[:8]}".upper(),
        "rank": "s1",
        "first_name": "Jordan",
        "last_name": "Tremblay",
        "division_id": division,
    }
    body.update(kw)
    return body


class TestList:
    async def test_pages_sort_by_seniority_and_filter(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        headers, _ = await login_headers(sessionmaker, level=1, rank="S3")
        async with sessionmaker.begin() as s:
            await make_member(s, rank="PO1", last_name="Alpha")
            await make_member(s, rank="S2", last_name="Bravo", division="DECK")
            await make_member(s, rank="Lt(N)", last_name="Charlie")
        by_rank = await api_client.get(
            "/api/members", params={"sort": "rank", "order": "desc"}, headers=headers
        )
        assert by_rank.status_code == 200, by_rank.text
        assert [m["rank"] for m in by_rank.json()["items"]] == ["Lt(N)", "PO1", "S2", "S3"]
        page = await api_client.get(
            "/api/members", params={"page": 2, "page_size": 3}, headers=headers
        )
        assert page.json()["total"] == 4 and len(page.json()["items"]) == 1
        deck = await api_client.get("/api/members", params={"q": "brav"}, headers=headers)
        assert [m["last_name"] for m in deck.json()["items"]] == ["Bravo"]
        assert deck.json()["items"][0]["division"] == "DECK"
        bad = await api_client.get("/api/members", params={"sort": "pin_hash"}, headers=headers)
        assert bad.status_code == 422
        huge = await api_client.get("/api/members", params={"page_size": 10_000}, headers=headers)
        assert huge.status_code == 422

    async def test_non_admins_see_only_the_nominal_roll(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        basic, _ = await login_headers(sessionmaker, level=1)
        admin, _ = await login_headers(sessionmaker, level=5)
        division = await division_id(sessionmaker)
        created = await api_client.post(
            "/api/members",
            json=new_member(division, member_source="civilian_manual", rank="CIV"),
            headers=admin,
        )
        assert created.status_code == 201, created.text
        civilian = created.json()["id"]
        as_basic = await api_client.get("/api/members", params={"page_size": 200}, headers=basic)
        as_admin = await api_client.get("/api/members", params={"page_size": 200}, headers=admin)
        assert civilian not in {m["id"] for m in as_basic.json()["items"]}
        assert civilian in {m["id"] for m in as_admin.json()["items"]}
        assert (await api_client.get(f"/api/members/{civilian}", headers=basic)).status_code == 404


class TestWrites:
    async def test_create_read_update_and_audit(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, me = await login_headers(sessionmaker, level=5)
        division = await division_id(sessionmaker)
        created = await api_client.post(
            "/api/members",
            json=new_member(division, email="j@x.ca", mess="Wardroom"),
            headers=admin,
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["display_name"] == "S1 Tremblay, J" and body["rank"] == "S1"
        patched = await api_client.patch(
            f"/api/members/{body['id']}", json={"rank": "MS", "initials": "JP"}, headers=admin
        )
        assert patched.status_code == 200
        assert patched.json()["display_name"] == "MS Tremblay, JP"
        async with sessionmaker() as s:
            entries = (
                await s.scalars(select(AuditLog).where(AuditLog.entity_id == body["id"]))
            ).all()
        update = next(e for e in entries if e.action == "member_update")
        assert update.actor_id == me.id and update.actor_type == "member"
        assert update.details["before"]["initials"] == ""
        assert update.details["after"]["initials"] == "JP"

    async def test_colliding_names_switch_to_the_long_form(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        division = await division_id(sessionmaker)
        one = (
            await api_client.post(
                "/api/members", json=new_member(division, first_name="Jean"), headers=admin
            )
        ).json()
        two = (
            await api_client.post(
                "/api/members", json=new_member(division, first_name="Julie"), headers=admin
            )
        ).json()
        first = (await api_client.get(f"/api/members/{one['id']}", headers=admin)).json()
        assert first["display_name"] == "S1 Tremblay, Jean"
        assert two["display_name"] == "S1 Tremblay, Julie"
        await api_client.delete(f"/api/members/{two['id']}", headers=admin)
        first = (await api_client.get(f"/api/members/{one['id']}", headers=admin)).json()
        assert first["display_name"] == "S1 Tremblay, J"

    async def test_refusals(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, me = await login_headers(sessionmaker, level=5)
        command, _ = await login_headers(sessionmaker, level=4)
        division = await division_id(sessionmaker)
        body = new_member(division)
        assert (
            await api_client.post("/api/members", json=body, headers=command)
        ).status_code == 403
        assert (await api_client.post("/api/members", json=body, headers=admin)).status_code == 201
        dup = await api_client.post("/api/members", json=body, headers=admin)
        assert dup.status_code == 409 and dup.json()["code"] == "service_number_taken"
        unknown = await api_client.post(
            "/api/members", json=new_member(division, rank="General"), headers=admin
        )
        assert unknown.status_code == 422 and unknown.json()["code"] == "rank_unknown"
        nodiv = await api_client.post(
            "/api/members", json=new_member(str(uuid.uuid4())), headers=admin
        )
        assert nodiv.status_code == 422 and nodiv.json()["code"] == "division_unknown"
        above = await api_client.post(
            "/api/members", json=new_member(division, account_level=6), headers=admin
        )
        assert above.status_code == 403
        extra = await api_client.post(
            "/api/members", json={**new_member(division), "pin_hash": "x"}, headers=admin
        )
        assert extra.status_code == 422
        missing = f"/api/members/{uuid.uuid4()}"
        assert (await api_client.get(missing, headers=admin)).status_code == 404
        assert (await api_client.patch(missing, json={}, headers=admin)).status_code == 404
        assert (await api_client.delete(missing, headers=admin)).status_code == 404
        self_archive = await api_client.delete(f"/api/members/{me.id}", headers=admin)
        assert self_archive.status_code == 409

    async def test_archive_hides_the_member_and_republishes_presence(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        async with sessionmaker.begin() as s:
            member = await make_member(s, last_name="Leaving")
        assert (
            await api_client.delete(f"/api/members/{member.id}", headers=admin)
        ).status_code == 204
        listed = await api_client.get("/api/members", params={"q": "Leaving"}, headers=admin)
        assert listed.json()["total"] == 0
        hidden = await api_client.get(
            "/api/members", params={"q": "Leaving", "include_hidden": True}, headers=admin
        )
        assert hidden.json()["items"][0]["status"] == "archived"
        async with sessionmaker() as s:
            topics_sent = set(await s.scalars(select(OutboxMessage.topic)))
            stored = await s.get(Member, member.id)
        assert topics.presence_member(member.id) in topics_sent
        assert topics.PRESENCE_SUMMARY in topics_sent
        assert stored is not None and stored.status == "archived"


class TestTagsAndQualifications:
    async def test_tags_are_added_listed_and_removed(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        basic, member = await login_headers(sessionmaker, level=1)
        async with sessionmaker() as s:
            tag_id = await s.scalar(select(Tag.id).where(Tag.name == "VIP"))
        url = f"/api/members/{member.id}/tags"
        assert (
            await api_client.post(url, json={"tag_id": str(tag_id)}, headers=basic)
        ).status_code == 403
        added = await api_client.post(url, json={"tag_id": str(tag_id)}, headers=admin)
        assert [t["name"] for t in added.json()] == ["VIP"]
        again = await api_client.post(url, json={"tag_id": str(tag_id)}, headers=admin)
        assert len(again.json()) == 1
        filtered = await api_client.get(
            "/api/members", params={"tag_id": str(tag_id)}, headers=basic
        )
        assert [m["id"] for m in filtered.json()["items"]] == [str(member.id)]
        assert (await api_client.delete(f"{url}/{tag_id}", headers=admin)).status_code == 204
        assert (await api_client.delete(f"{url}/{tag_id}", headers=admin)).status_code == 404
        bogus = await api_client.post(url, json={"tag_id": str(uuid.uuid4())}, headers=admin)
        assert bogus.status_code == 404

    async def test_grant_revoke_and_regrant_a_qualification(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        basic, member = await login_headers(sessionmaker, level=1)
        types = (await api_client.get("/api/qualification-types", headers=basic)).json()
        dds = next(t for t in types if t["code"] == "DDS")
        assert dds["can_receive_lockup"] is True
        url = f"/api/members/{member.id}/qualifications"
        grant = {"qualification_type_id": dds["id"]}
        assert (await api_client.post(url, json=grant, headers=basic)).status_code == 403
        granted = await api_client.post(url, json=grant, headers=admin)
        assert granted.status_code == 201 and granted.json()["is_active"] is True
        twice = await api_client.post(url, json=grant, headers=admin)
        assert twice.status_code == 409 and twice.json()["code"] == "qualification_already_active"
        qid = granted.json()["id"]
        revoked = await api_client.post(
            f"{url}/{qid}/revoke", json={"reason": "posted"}, headers=admin
        )
        assert revoked.json()["status"] == "revoked" and revoked.json()["is_active"] is False
        assert (
            await api_client.post(f"{url}/{qid}/revoke", json={"reason": "x"}, headers=admin)
        ).status_code == 409
        regranted = await api_client.post(url, json=grant, headers=admin)
        assert regranted.json()["id"] == qid and regranted.json()["status"] == "active"
        listed = await api_client.get(url, headers=basic)
        assert [q["code"] for q in listed.json()] == ["DDS"]
        with_dds = await api_client.get(
            "/api/members", params={"qualification": "DDS"}, headers=basic
        )
        assert [m["id"] for m in with_dds.json()["items"]] == [str(member.id)]
        missing = await api_client.post(
            url, json={"qualification_type_id": str(uuid.uuid4())}, headers=admin
        )
        assert missing.status_code == 404
        past = await api_client.post(
            f"/api/members/{uuid.uuid4()}/qualifications", json=grant, headers=admin
        )
        assert past.status_code == 404
        async with sessionmaker() as s:
            assert await s.scalar(select(Division.id).where(Division.code == "OPS")) is not None
