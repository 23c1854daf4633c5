"""Check-in history over HTTP: source and time filters across members and visitors, one row,
and corrections refused for a future time or a missing row (domain.md §2.10).
"""

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.db.models import Checkin, Visitor
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_member


async def test_history_filters_by_source_and_time_and_merges_visitors(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    now = api_clock.now()
    h = timedelta(hours=1)
    async with sessionmaker.begin() as s:
        ann = await make_member(s, last_name="Ann")
        bob = await make_member(s, last_name="Bob")
        rows = [
            (ann.id, "in", now - 5 * h, "rdr-main"),
            (ann.id, "out", now - 4 * h, "rdr-main"),
            (bob.id, "in", now - 3 * h, "ADMIN_MANUAL"),
            (ann.id, "in", now - 1 * h, "rdr-main"),
        ]
        ids = []
        for member_id, direction, at, source in rows:
            checkin_id = uuid.uuid4()
            ids.append(checkin_id)
            await s.execute(
                insert(Checkin).values(
                    id=checkin_id, member_id=member_id, direction=direction, at=at, source=source
                )
            )
        visitor = uuid.uuid4()
        await s.execute(
            insert(Visitor).values(
                id=visitor,
                first_name="Pat",
                last_name="Guest",
                display_name="Guest, P",
                check_in_at=now - 3.5 * h,
                check_out_at=now - 2 * h,
            )
        )
    command, _ = await login_headers(sessionmaker, level=4, now=now)

    async def listed(**params: str | int) -> list[tuple[str, str]]:
        reply = await api_client.get("/api/checkins", params=params, headers=command)
        assert reply.status_code == 200, reply.text
        page = reply.json()
        assert page["total"] == len(page["items"])
        return [
            (i["display_name"].split(",")[0].split()[-1], i["direction"]) for i in page["items"]
        ]

    assert await listed(source="rdr-main") == [("Ann", "in"), ("Ann", "out"), ("Ann", "in")]
    window = {"since": (now - 3.5 * h).isoformat(), "until": (now - 1 * h).isoformat()}
    assert await listed(**window) == [("Guest", "out"), ("Bob", "in"), ("Guest", "in")]
    assert await listed(member_id=str(ann.id), since=(now - 4 * h).isoformat()) == [
        ("Ann", "in"),
        ("Ann", "out"),
    ]
    naive = await api_client.get(
        "/api/checkins", params={"since": "2026-01-01T00:00:00"}, headers=command
    )
    assert naive.status_code == 422

    one = await api_client.get(f"/api/checkins/{ids[2]}", headers=command)
    assert one.status_code == 200
    assert (one.json()["member_id"], one.json()["source"], one.json()["direction"]) == (
        str(bob.id),
        "ADMIN_MANUAL",
        "in",
    )


async def test_corrections_refuse_future_times_and_missing_rows(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    async with sessionmaker.begin() as s:
        member = await make_member(s, last_name="Fixed")
    made = await api_client.post("/api/checkins", json={"member_id": str(member.id)}, headers=admin)
    assert made.status_code == 201, made.text
    url = f"/api/checkins/{made.json()['id']}"

    future = (api_clock.now() + timedelta(minutes=5)).isoformat()
    ahead = await api_client.patch(url, json={"at": future, "reason": "typo"}, headers=admin)
    assert (ahead.status_code, ahead.json()["code"]) == (422, "at_in_future")
    no_reason = await api_client.patch(url, json={"direction": "out"}, headers=admin)
    assert no_reason.status_code == 422
    assert (await api_client.delete(url, headers=admin)).status_code == 422  # reason required
    unchanged = await api_client.get(url, headers=admin)
    assert unchanged.json()["at"] == made.json()["at"]

    missing = f"/api/checkins/{uuid.uuid4()}"
    for reply in (
        await api_client.patch(missing, json={"direction": "out", "reason": "x"}, headers=admin),
        await api_client.delete(missing, params={"reason": "x"}, headers=admin),
    ):
        assert (reply.status_code, reply.json()["code"]) == (404, "checkin_not_found")
