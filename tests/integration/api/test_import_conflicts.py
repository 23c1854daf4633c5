"""Nominal-roll import conflicts: a file line cannot take over a civilian's service number, and
the importing Admin cannot deactivate their own account (domain.md §9A).
"""

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.models import Member
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_member

HEADER = ",SN,RANK,LAST NAME,FIRST NAME,INITIALS,DEPT,MESS,EMAIL,DETAILS,DOB,\n"


def roll(*lines: str) -> str:
    return HEADER + "".join(f"{i},{line},1990-01-01,\n" for i, line in enumerate(lines, 1))


async def test_a_civilians_service_number_is_a_row_error(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    async with sessionmaker.begin() as s:
        civilian = await make_member(s, last_name="Curator", first_name="Sam")
        await s.execute(
            update(Member)
            .where(Member.id == civilian.id)
            .values(member_source="civilian_manual", service_number="Z11111111")
        )
    text = roll("Z11 111 111,S1,IMPOSTOR,IVAN,,OPS,,,", "A22222222,S2,NEW,NINA,,OPS,,,")

    preview = (
        await api_client.post("/api/members/import/preview", json={"csv_text": text}, headers=admin)
    ).json()
    refused = await api_client.post(
        "/api/members/import/execute", json={"csv_text": text}, headers=admin
    )
    done = await api_client.post(
        "/api/members/import/execute", json={"csv_text": text, "exclude_rows": [2]}, headers=admin
    )

    assert [(e["line"], e["field"]) for e in preview["errors"]] == [(2, "SN")]
    assert "not on the nominal roll" in preview["errors"][0]["message"]
    assert [r["service_number"] for r in preview["to_add"]] == ["A22222222"]
    assert (refused.status_code, refused.json()["code"]) == (422, "import_has_errors")
    assert refused.json()["details"]["errors"][0]["line"] == 2
    assert done.status_code == 200, done.text
    assert done.json()["added"] == 1
    async with sessionmaker() as s:
        kept = await s.get(Member, civilian.id)
    assert kept is not None and (kept.last_name, kept.member_source) == (
        "Curator",
        "civilian_manual",
    )


async def test_the_importer_cannot_deactivate_themself(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, me = await login_headers(sessionmaker, level=5)
    text = roll("A33333333,S1,ONLY,OLIVE,,OPS,,,")
    preview = (
        await api_client.post("/api/members/import/preview", json={"csv_text": text}, headers=admin)
    ).json()
    assert str(me.id) in {r["member_id"] for r in preview["to_review"]}  # not in the file

    refused = await api_client.post(
        "/api/members/import/execute",
        json={"csv_text": text, "deactivate_ids": [str(me.id)]},
        headers=admin,
    )

    assert (refused.status_code, refused.json()["code"]) == (422, "cannot_deactivate_self")
    assert (await api_client.get("/api/auth/session", headers=admin)).status_code == 200
    async with sessionmaker() as s:
        still = await s.get(Member, me.id)
        added = await s.scalar(select(Member.id).where(Member.service_number == "A33333333"))
    assert still is not None and still.status == "active"
    assert added is None  # the refused import changed nothing
