"""CSV downloads of the daily, visitor, presence and lockup reports carry the JSON's numbers.

test_reports_api.py checks these reports as JSON (and the roster as CSV); here each is
downloaded as a spreadsheet file and read back the way a user's spreadsheet would.
"""

import csv
import io
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.db.models import Checkin, Member, Visitor
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import MadeMember, make_member

TZ = ZoneInfo("America/Winnipeg")
TUE = date(2026, 3, 3)


def at(on: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(on, time(hh, mm), tzinfo=TZ).astimezone(UTC)


async def member(
    sm: async_sessionmaker[AsyncSession],
    last: str,
    member_type: str,
    *stays: tuple[datetime, datetime],
) -> MadeMember:
    async with sm.begin() as s:
        made = await make_member(s, last_name=last, rank="PO2")
        await s.execute(update(Member).where(Member.id == made.id).values(member_type=member_type))
        for start, end in stays:
            await s.execute(
                insert(Checkin),
                [
                    {"at": start, "member_id": made.id, "direction": "in", "source": "t"},
                    {"at": end, "member_id": made.id, "direction": "out", "source": "t"},
                ],
            )
    return made


async def download(
    client: httpx.AsyncClient, report: str, body: Mapping[str, object], headers: dict[str, str]
) -> list[dict[str, str]]:
    reply = await client.post(f"/api/reports/{report}?format=csv", json=body, headers=headers)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    disposition = reply.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="{report}-') and disposition.endswith(
        '.csv"'
    )
    return list(csv.DictReader(io.StringIO(reply.content.decode("utf-8"))))


async def test_daily_checkin_csv_groups_every_member(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    api_clock.set(at(TUE + timedelta(days=2), 12))
    arrived, left = at(TUE, 8, 15), at(TUE, 16, 40)
    await member(sessionmaker, "Present", "class_b", (arrived, left))
    await member(sessionmaker, "Absent", "reg_force")
    await member(sessionmaker, "Reserve", "class_a", (at(TUE, 19), at(TUE, 22)))
    headers, _ = await login_headers(sessionmaker, level=4, now=api_clock.now())
    body = {"operational_date": TUE.isoformat()}

    rows = await download(api_client, "daily-checkin", body, headers)
    as_json = (
        await api_client.post("/api/reports/daily-checkin", json=body, headers=headers)
    ).json()

    groups = {r["last_name"]: r["group"] for r in rows}
    assert groups["Present"] == "ft_present" and groups["Absent"] == "ft_absent"
    assert groups["Reserve"] == "reserve_present"
    present = next(r for r in rows if r["last_name"] == "Present")
    assert (present["rank"], present["member_type"], present["division"]) == (
        "PO2",
        "class_b",
        "OPS",
    )
    assert datetime.fromisoformat(present["first_in_at"]) == arrived
    assert datetime.fromisoformat(present["last_out_at"]) == left
    assert next(r for r in rows if r["last_name"] == "Absent")["first_in_at"] == ""
    assert len(rows) == sum(len(as_json[k]) for k in ("ft_present", "ft_absent", "reserve_present"))


async def test_visitor_presence_and_lockup_csv(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    api_clock.set(at(TUE + timedelta(days=5), 12))
    holder = await member(sessionmaker, "Holder", "class_a", (at(TUE, 19, 10), at(TUE, 21, 50)))
    async with sessionmaker.begin() as s:
        for org, kind, hour in [("ACME", "contractor", 10), ("=1+2", "guest", 14)]:
            await s.execute(
                insert(Visitor).values(
                    first_name="Vi",
                    last_name=org,
                    display_name=f"{org}, V",
                    organization=org,
                    visit_type=kind,
                    check_in_at=at(TUE, hour),
                    check_out_at=at(TUE, hour + 1),
                )
            )
        await s.execute(
            text(
                "INSERT INTO lockup_cycles (operational_date, building_status, holder_id,"
                " acquired_at, secured_at, secured_by, is_active)"
                " VALUES (:on, 'secured', :m, :acq, :sec, :m, false)"
            ),
            {"on": TUE, "m": holder.id, "acq": at(TUE, 19, 10), "sec": at(TUE, 21, 45)},
        )
        await s.execute(
            text(
                "INSERT INTO dds_assignments (member_id, operational_date, status)"
                " VALUES (:m, :on, 'active')"
            ),
            {"m": holder.id, "on": TUE},
        )
    headers, _ = await login_headers(sessionmaker, level=4, now=api_clock.now())
    period = {"start_date": TUE.isoformat(), "end_date": TUE.isoformat()}

    visits = await download(api_client, "visitor-summary", period, headers)
    assert [(v["organisation"], v["type"]) for v in visits] == [
        ("ACME", "contractor"),
        ("'=1+2", "guest"),  # a formula-looking cell is defused for spreadsheets
    ]
    assert visits[0]["in"].endswith("10:00") and visits[0]["out"].endswith("11:00")

    hours = await download(
        api_client, "presence-over-time", {"start_date": TUE.isoformat()}, headers
    )
    assert len(hours) == 24
    assert sum(int(h["arrivals"]) for h in hours) == 1
    assert sum(int(h["departures"]) for h in hours) == 1
    inside = [h for h in hours if h["members_present"] == "1"]
    assert [datetime.fromisoformat(h["bucket_at"]) for h in inside] == [
        at(TUE, 19),
        at(TUE, 20),
    ]  # in at 19:10, out at 21:50: present at the end of the 19:00 and 20:00 hours only

    cycles = await download(api_client, "lockup-summary", period, headers)
    assert len(cycles) == 1
    cycle = cycles[0]
    assert cycle["status"] == "secured" and cycle["holder"].startswith("PO2 Holder")
    assert cycle["acquired"].endswith("19:10") and cycle["secured"].endswith("21:45")
    assert cycle["secured_by"].startswith("PO2 Holder")
