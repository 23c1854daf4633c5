"""Reports over HTTP: access levels, the daily/roster/visitor/presence/BMQ/lockup reports, files."""

import csv
import io
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.db.models import Checkin, Member, ReportAuditLog, Visitor
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import MadeMember, make_member

TZ = ZoneInfo("America/Winnipeg")
TUE = date(2026, 3, 3)


def local(on: date, hh: int, mm: int = 0, *, days: int = 0) -> datetime:
    return datetime.combine(on + timedelta(days=days), time(hh, mm), tzinfo=TZ).astimezone(UTC)


async def _member(
    sm: async_sessionmaker[AsyncSession],
    *,
    rank: str = "S1",
    last: str = "Smith",
    member_type: str = "class_a",
    division: str = "OPS",
    joined_on: date = date(2020, 1, 1),
) -> MadeMember:
    async with sm.begin() as s:
        made = await make_member(s, rank=rank, last_name=last, division=division)
        await s.execute(
            update(Member)
            .where(Member.id == made.id)
            .values(member_type=member_type, joined_on=joined_on)
        )
    return made


async def _visits(
    sm: async_sessionmaker[AsyncSession], member: MadeMember, *stays: tuple[datetime, datetime]
) -> None:
    rows = []
    for start, end in stays:
        rows.append({"at": start, "member_id": member.id, "direction": "in", "source": "t"})
        rows.append({"at": end, "member_id": member.id, "direction": "out", "source": "t"})
    async with sm.begin() as s:
        await s.execute(insert(Checkin), rows)


async def _command(sm: async_sessionmaker[AsyncSession], clock: FrozenClock) -> dict[str, str]:
    headers, _ = await login_headers(sm, level=4, now=clock.now(), rank="CPO1")
    return headers


async def test_reports_need_command_level(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    body = {"operational_date": "2026-03-03"}
    assert (await api_client.post("/api/reports/daily-checkin", json=body)).status_code == 401
    headers, _ = await login_headers(sessionmaker, level=3)
    response = await api_client.post("/api/reports/daily-checkin", json=body, headers=headers)
    assert response.status_code == 403


async def test_daily_checkin_counts_after_midnight_for_the_previous_day(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    api_clock.set(local(TUE, 12, days=7))
    night_owl = await _member(sessionmaker, last="Owl", member_type="class_b")
    absent = await _member(sessionmaker, last="Away", member_type="reg_force")
    reservist = await _member(sessionmaker, last="Res")
    await _visits(sessionmaker, night_owl, (local(TUE, 1, 30, days=1), local(TUE, 2, 30, days=1)))
    await _visits(sessionmaker, reservist, (local(TUE, 19), local(TUE, 22)))
    await _visits(sessionmaker, absent, (local(TUE, 3, 10, days=1), local(TUE, 9, days=1)))
    headers = await _command(sessionmaker, api_clock)

    response = await api_client.post(
        "/api/reports/daily-checkin", json={"operational_date": TUE.isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text
    report = response.json()
    names = {
        k: [r["last_name"] for r in report[k]]
        for k in ("ft_present", "ft_absent", "reserve_present")
    }
    assert "Owl" in names["ft_present"]  # 01:30 Wednesday belongs to Tuesday
    assert "Away" in names["ft_absent"]  # 03:10 Wednesday belongs to Wednesday
    assert names["reserve_present"] == ["Res"]

    wednesday = await api_client.post(
        "/api/reports/daily-checkin",
        json={"operational_date": (TUE + timedelta(days=1)).isoformat(), "member_type": "ft_staff"},
        headers=headers,
    )
    present = [r["last_name"] for r in wednesday.json()["ft_present"]]
    assert present == ["Away"]


async def test_roster_is_senior_first_and_downloads_as_csv(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    for rank, last in [("S3", "Junior"), ("LCdr", "Senior"), ("PO1", "Middle")]:
        await _member(sessionmaker, rank=rank, last=last, division="DECK")
    headers = await _command(sessionmaker, api_clock)
    division = await api_client.get("/api/divisions", headers=headers)
    deck = next(d["id"] for d in division.json() if d["code"] == "DECK")

    response = await api_client.post(
        "/api/reports/personnel-roster?format=csv",
        json={"division_id": deck, "sort_order": "rank"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["last_name"] for r in rows] == ["Senior", "Middle", "Junior"]


async def test_visitor_summary_counts_by_type_and_organisation(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    async with sessionmaker.begin() as s:
        for org, kind, day in [
            ("ACME", "contractor", 0),
            ("ACME", "contractor", 1),
            ("DND", "official", 1),
            ("50%", "guest", 9),
        ]:
            await s.execute(
                insert(Visitor).values(
                    first_name="V",
                    last_name=org,
                    display_name=f"{org}, V",
                    organization=org,
                    visit_type=kind,
                    check_in_at=local(TUE, 10, days=day),
                )
            )
    headers = await _command(sessionmaker, api_clock)
    body = {"start_date": TUE.isoformat(), "end_date": (TUE + timedelta(days=1)).isoformat()}
    report = (
        await api_client.post("/api/reports/visitor-summary", json=body, headers=headers)
    ).json()
    assert report["total"] == 3
    assert {c["label"]: c["count"] for c in report["by_type"]} == {"contractor": 2, "official": 1}
    assert report["by_organization"][0] == {"label": "ACME", "count": 2}
    wildcard = {**body, "end_date": (TUE + timedelta(days=10)).isoformat(), "organization": "%"}
    literal = (
        await api_client.post("/api/reports/visitor-summary", json=wildcard, headers=headers)
    ).json()
    assert [v["organization"] for v in literal["visits"]] == ["50%"]  # % is not a wildcard


async def test_presence_over_time_matches_the_raw_check_ins_before_and_after_refresh(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    api_clock.set(local(TUE, 12, days=3))
    stays = [
        (local(TUE, 18, 30), local(TUE, 21, 45)),
        (local(TUE, 19, 5), local(TUE, 0, 20, days=1)),
    ]
    for index, stay in enumerate(stays * 3):
        await _visits(sessionmaker, await _member(sessionmaker, last=f"P{index}"), stay)
    headers = await _command(sessionmaker, api_clock)
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())

    def expected(hour: datetime) -> int:
        end = hour + timedelta(hours=1)
        return sum(1 for s, e in stays * 3 if s < end <= e)

    body = {"start_date": TUE.isoformat()}
    before = (
        await api_client.post("/api/reports/presence-over-time", json=body, headers=headers)
    ).json()
    refreshed = await api_client.post("/api/report-settings/timeseries/refresh", headers=admin)
    assert refreshed.status_code == 200, refreshed.text
    after = (
        await api_client.post("/api/reports/presence-over-time", json=body, headers=headers)
    ).json()
    assert before["hours"] == after["hours"]
    assert len(before["hours"]) == 24
    for hour in before["hours"]:
        bucket = datetime.fromisoformat(hour["bucket_at"])
        assert hour["members_present"] == expected(bucket), hour["local_label"]
    assert before["days"][0]["peak_members"] == 6
    assert before["days"][0]["arrivals"] == 6


async def test_bmq_report_counts_sessions_from_enrolment(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    api_clock.set(local(date(2026, 4, 1), 12))
    admin, _ = await login_headers(sessionmaker, level=5, now=api_clock.now())
    course = {
        "name": "BMQ 26-01",
        "start_on": "2026-03-02",
        "end_on": "2026-03-15",
        "training_start": "18:00:00",
        "training_end": "21:00:00",
        "training_days": ["monday", "wednesday"],
    }
    created = await api_client.post("/api/bmq-courses", json=course, headers=admin)
    assert created.status_code == 201, created.text
    course_id = created.json()["id"]
    early, late = (
        await _member(sessionmaker, last="Early"),
        await _member(sessionmaker, last="Late"),
    )
    for member, enrolled in [
        (early, local(date(2026, 3, 1), 12)),
        (late, local(date(2026, 3, 9), 12)),
    ]:
        body = {"member_id": str(member.id), "enrolled_at": enrolled.isoformat()}
        response = await api_client.post(
            f"/api/bmq-courses/{course_id}/enrollments", json=body, headers=admin
        )
        assert response.status_code == 201, response.text
    again = await api_client.post(
        f"/api/bmq-courses/{course_id}/enrollments",
        json={"member_id": str(early.id)},
        headers=admin,
    )
    assert again.status_code == 409
    sessions = [date(2026, 3, d) for d in (2, 4, 9, 11)]
    await _visits(sessionmaker, early, *[(local(d, 18), local(d, 21)) for d in sessions[:3]])
    await _visits(sessionmaker, late, *[(local(d, 17), local(d, 18, 30)) for d in sessions])

    report = (
        await api_client.post(
            "/api/reports/bmq-attendance", json={"course_id": course_id}, headers=admin
        )
    ).json()
    rows = {r["last_name"]: r for r in report["members"]}
    assert (rows["Early"]["attended"], rows["Early"]["possible"]) == (3, 4)
    assert (rows["Late"]["attended"], rows["Late"]["possible"]) == (0, 2)  # 30 min < 60
    assert [n["on"] for n in report["nights"]] == [d.isoformat() for d in sessions]


async def test_lockup_summary_lists_cycles_and_unsecured_days(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    api_clock.set(local(TUE, 12, days=5))
    holder = await _member(sessionmaker, last="Holder", rank="PO1")
    async with sessionmaker.begin() as s:
        for on, status in [(TUE, "secured"), (TUE + timedelta(days=1), "open")]:
            await s.execute(
                text(
                    "INSERT INTO lockup_cycles (operational_date, building_status, holder_id, is_active)"
                    " VALUES (:on, :status, :holder, false)"
                ),
                {"on": on, "status": status, "holder": holder.id},
            )
        await s.execute(
            text(
                "INSERT INTO dds_assignments (member_id, operational_date, status) VALUES (:m, :on, 'active')"
            ),
            {"m": holder.id, "on": TUE},
        )
    headers = await _command(sessionmaker, api_clock)
    body = {"start_date": TUE.isoformat(), "end_date": (TUE + timedelta(days=2)).isoformat()}
    response = await api_client.post("/api/reports/lockup-summary", json=body, headers=headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert len(report["cycles"]) == 2
    assert report["days_not_secured"] == [(TUE + timedelta(days=1)).isoformat()]
    assert report["dds"][0]["member"].startswith("PO1 Holder")


async def test_training_night_pdf_is_audited_with_the_member(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    api_clock.set(local(date(2026, 3, 20), 12))
    member = await _member(sessionmaker, last="Keen")
    await _visits(sessionmaker, member, (local(TUE, 19), local(TUE, 22)))
    headers, caller = await login_headers(sessionmaker, level=4, now=api_clock.now())
    body = {"period": "custom", "period_start": "2026-03-01", "period_end": "2026-03-14"}
    response = await api_client.post(
        "/api/reports/training-night-attendance?format=pdf", json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    async with sessionmaker() as s:
        row = (await s.execute(select(ReportAuditLog))).scalar_one()
        assert (row.report_type, row.output_format, row.actor_id) == (
            "training-night-attendance",
            "pdf",
            caller.id,
        )
        assert row.parameters["period_start"] == "2026-03-01"
        assert await s.scalar(select(func.count()).select_from(ReportAuditLog)) == 1

    no_year = await api_client.post(
        "/api/reports/training-night-attendance", json={}, headers=headers
    )
    assert no_year.status_code == 404
    assert no_year.json()["code"] == "no_current_training_year"
    missing = await api_client.post(
        "/api/reports/training-night-attendance",
        json={"organization_option": "specific_member"},
        headers=headers,
    )
    assert missing.status_code == 422
    unknown = {**body, "organization_option": "specific_member", "member_id": str(uuid.uuid4())}
    gone = await api_client.post(
        "/api/reports/training-night-attendance", json=unknown, headers=headers
    )
    assert gone.status_code == 404
