"""DDS over HTTP beyond test_dds_api.py: transfers and releases that are refused, an Admin
releasing someone else's DDS, transferring away from the scheduled DDS, and activating a
pending DDS row (domain.md §5.6).
"""

from datetime import timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.domain.opday import week_start
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import MadeMember
from tests.fixtures.operations import POLICY, check_in, grant, schedule


async def person(
    sm: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    name: str,
    *,
    level: int = 1,
    dds: bool = True,
) -> tuple[dict[str, str], MadeMember]:
    """A checked-in member, DDS-qualified unless told otherwise."""
    headers, member = await login_headers(sm, level=level, now=clock.now(), last_name=name)
    async with sm.begin() as s:
        if dds:
            await grant(s, member.id, "DDS")
        await check_in(s, member.id, clock.now() - timedelta(minutes=1))
    return headers, member


async def test_transfer_and_release_refusals(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await person(sessionmaker, api_clock, "Admin", level=5, dds=False)
    duty_h, duty = await person(sessionmaker, api_clock, "Duty")
    bystander, _ = await person(sessionmaker, api_clock, "Bystander", dds=False)

    nobody = await api_client.post(
        "/api/dds/transfer", json={"to_member_id": str(duty.id)}, headers=admin
    )
    assert (nobody.status_code, nobody.json()["code"]) == (404, "no_current_dds")
    unreleased = await api_client.post("/api/dds/release", json={}, headers=admin)
    assert (unreleased.status_code, unreleased.json()["code"]) == (404, "no_dds_assignment")

    assert (await api_client.post("/api/dds/accept", json={}, headers=duty_h)).status_code == 200
    to_self = await api_client.post(
        "/api/dds/transfer", json={"to_member_id": str(duty.id)}, headers=duty_h
    )
    assert (to_self.status_code, to_self.json()["code"]) == (409, "same_member")
    not_theirs = await api_client.post("/api/dds/release", json={}, headers=bystander)
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "forbidden")

    api_clock.advance(timedelta(minutes=5))
    released = await api_client.post(
        "/api/dds/release", json={"notes": "sent home sick"}, headers=admin
    )
    assert released.status_code == 200, released.text
    assert released.json()["status"] is None
    log = (await api_client.get("/api/dds/audit-log", headers=bystander)).json()
    assert [(e["action"], e["performed_by_type"]) for e in log] == [
        ("released", "admin"),
        ("self_accepted", "member"),
    ]
    assert log[0]["member_id"] == str(duty.id) and log[0]["notes"] == "sent home sick"


async def test_an_admin_transfers_away_from_the_scheduled_dds(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await person(sessionmaker, api_clock, "Admin", level=5, dds=False)
    plain, scheduled = await person(sessionmaker, api_clock, "Scheduled")
    _, spare = await person(sessionmaker, api_clock, "Spare")
    async with sessionmaker.begin() as s:
        week = week_start(POLICY.operational_date(api_clock.now()))
        await schedule(s, "DDS", week, [(scheduled.id, None)])
    before = (await api_client.get("/api/dds/current", headers=plain)).json()
    assert before["dds"]["member_id"] == str(scheduled.id) and before["source"] == "schedule"

    by_member = await api_client.post(
        "/api/dds/assign", json={"member_id": str(spare.id)}, headers=plain
    )
    assert by_member.status_code == 403
    moved = await api_client.post(
        "/api/dds/transfer", json={"to_member_id": str(spare.id)}, headers=admin
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["dds"]["member_id"] == str(spare.id)
    log = (await api_client.get("/api/dds/audit-log", headers=plain)).json()
    assert [(e["action"], e["from_member_id"], e["to_member_id"]) for e in log] == [
        ("transferred", str(scheduled.id), str(spare.id))
    ]


async def test_setting_today_activates_a_pending_row(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await person(sessionmaker, api_clock, "Admin", level=5, dds=False)
    _, pending = await person(sessionmaker, api_clock, "Pending")
    on = POLICY.operational_date(api_clock.now())
    async with sessionmaker.begin() as s:
        await s.execute(
            text(
                "INSERT INTO dds_assignments (member_id, operational_date, status)"
                " VALUES (:m, :on, 'pending')"
            ),
            {"m": pending.id, "on": on},
        )

    reply = await api_client.post(
        "/api/dds/set-today", json={"member_id": str(pending.id)}, headers=admin
    )

    assert reply.status_code == 200, reply.text
    assert reply.json()["dds"]["member_id"] == str(pending.id)
    assert reply.json()["status"] == "active"
    async with sessionmaker() as s:
        rows = (
            await s.execute(
                text(
                    "SELECT status, accepted_at FROM dds_assignments WHERE operational_date = :on"
                ),
                {"on": on},
            )
        ).all()
    assert len(rows) == 1  # the pending row was activated, not duplicated
    assert rows[0].status == "active" and rows[0].accepted_at == api_clock.now()
