"""Nominal-roll import over HTTP: preview diff with row errors, then execute (§9A)."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.models import Division, Member
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_member

HEADER = ",SN,RANK,LAST NAME,FIRST NAME,INITIALS,DEPT,MESS,EMAIL,DETAILS,DOB,\n"


def roll(*lines: str) -> str:
    return (
        "\ufeff" + HEADER + "".join(f"{i},{line},1990-01-01,\n" for i, line in enumerate(lines, 1))
    )


async def test_preview_then_execute(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, division="CMD")
    async with sessionmaker.begin() as s:
        staying = await make_member(s, rank="S2", last_name="Roy", first_name="Anne")
        leaving = await make_member(s, last_name="Gone")
        civilian = await make_member(s, last_name="Museum")
        await s.execute(
            Member.__table__.update()
            .where(Member.id == civilian.id)
            .values(member_source="civilian_manual")
        )
        await s.execute(
            Member.__table__.update()
            .where(Member.id == staying.id)
            .values(service_number="Z00000001")
        )
    sn_staying = "Z00 000 001"
    text = roll(
        f"{sn_staying},S1,ROY,ANNE,,OPS,,,",
        "A12 345 678,a/slt,MACDONALD,KIM,,BAND,Wardroom ,kim@unit.ca,CLASS B",
        "B22222222,Admiral,NOPE,NOPE,,OPS,,,",
        "C33333333,S1,BAD,EMAIL,,OPS,,not-mail,",
    )
    preview = await api_client.post(
        "/api/members/import/preview", json={"csv_text": text}, headers=admin
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(4, "RANK"), (5, "EMAIL_ADDRESS")]
    assert body["blocking"] is False
    assert [r["service_number"] for r in body["to_add"]] == ["A12345678"]
    assert body["to_update"][0]["changes"] == ["Rank: S2 → S1"]
    review = {r["member_id"] for r in body["to_review"]}
    assert str(leaving.id) in review and str(civilian.id) not in review
    assert body["divisions_to_create"] == [{"code": "BAND", "name": "Band", "members": 1}]
    refused = await api_client.post(
        "/api/members/import/execute", json={"csv_text": text}, headers=admin
    )
    assert refused.status_code == 422 and refused.json()["code"] == "import_has_errors"
    done = await api_client.post(
        "/api/members/import/execute",
        json={"csv_text": text, "exclude_rows": [4, 5], "deactivate_ids": [str(leaving.id)]},
        headers=admin,
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"added": 1, "updated": 1, "deactivated": 1, "divisions_created": 1}
    async with sessionmaker() as s:
        kim = (await s.scalars(select(Member).where(Member.service_number == "A12345678"))).one()
        band = await s.scalar(select(Division).where(Division.code == "BAND"))
        gone = await s.get(Member, leaving.id)
        museum = await s.get(Member, civilian.id)
    assert (kim.last_name, kim.member_type, kim.mess) == ("MacDonald", "class_b", "Wardroom")
    assert kim.display_name == "A/SLt MacDonald, K" and band is not None and band.name == "Band"
    assert gone is not None and gone.status == "inactive"
    assert museum is not None and museum.status == "active"


async def test_import_refusals(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    command, _ = await login_headers(sessionmaker, level=4)
    text = roll("A12345678,S1,ROY,ANNE,,BAND,,,")
    body = {"csv_text": text}
    assert (
        await api_client.post("/api/members/import/preview", json=body, headers=command)
    ).status_code == 403
    headerless = await api_client.post(
        "/api/members/import/preview", json={"csv_text": "a,b\n1,2\n"}, headers=admin
    )
    assert headerless.json()["blocking"] is True
    no_divisions = await api_client.post(
        "/api/members/import/execute", json={**body, "create_divisions": False}, headers=admin
    )
    assert no_divisions.status_code == 422 and no_divisions.json()["code"] == "divisions_missing"
    stranger = await api_client.post(
        "/api/members/import/execute",
        json={**body, "deactivate_ids": ["00000000-0000-0000-0000-000000000000"]},
        headers=admin,
    )
    assert stranger.status_code == 422 and stranger.json()["code"] == "deactivate_not_in_review"
