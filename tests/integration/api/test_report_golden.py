"""Golden test: a generated unit with a year of check-ins; the report must match the generator.

Expected numbers come from the generator's ground truth (which nights were held, who attended
which) and the §8.2 rules written out here, never from the engine.
"""

import asyncio
import csv
import io
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.reports.context import load_context
from api.reports.run import run_report
from api.schemas.report_results import AttendanceRow, TrainingNightReport
from api.schemas.reports import (
    OrganizationOption,
    OutputFormat,
    Period,
    ReportType,
    TrainingNightRequest,
)
from shared.db.engine import make_engine, make_sessionmaker
from shared.db.models import ReportAuditLog
from shared.settings import Settings
from tests.fixtures.database import plain_dsn
from tests.fixtures.services import PostgresServer
from tools.bench.unitgen import GeneratedUnit, GenMember, UnitSpec, generate_unit, load_unit

pytestmark = pytest.mark.asyncio(loop_scope="module")

NOW = datetime(2026, 7, 15, 18, 0, tzinfo=UTC)
SETTINGS = Settings.model_validate({"database_url": "postgresql+asyncpg://unused/x"})
WARNING, CRITICAL, GRACE_WEEKS, MINIMUM_NIGHTS, BAND = 75.0, 50.0, 4, 3, 5.0
RESERVE = {"class_a"}
FT = {"class_b", "class_c", "reg_force"}


@dataclass
class Golden:
    sessionmaker: async_sessionmaker[AsyncSession]
    unit: GeneratedUnit


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def golden(postgres_server: PostgresServer, template_database: str) -> AsyncIterator[Golden]:
    """One database with the generated unit, shared by this module's tests (read-only)."""
    name = f"g_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(plain_dsn(postgres_server.admin_url))
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    engine = make_engine(postgres_server.url(name), application_name="golden")
    try:
        sessionmaker = make_sessionmaker(engine)
        unit = generate_unit(UnitSpec(members=300, seed=11))
        async with sessionmaker.begin() as session:
            await load_unit(session, unit)
        yield Golden(sessionmaker, unit)
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _report(golden: Golden, request: TrainingNightRequest) -> TrainingNightReport:
    async with golden.sessionmaker.begin() as session:
        ctx = await load_context(session, SETTINGS, now=NOW)
        out = await run_report(
            session,
            ReportType.TRAINING_NIGHT_ATTENDANCE,
            request,
            ctx,
            output_format=OutputFormat.JSON,
            actor_type="system",
            actor_id=None,
        )
    assert isinstance(out.result, TrainingNightReport)
    return out.result


@dataclass(frozen=True)
class Expected:
    attended: int
    possible: int
    percentage: float | None
    status: str
    flag: str


def expected(
    member: GenMember, nights: list[date], start: date, end: date, as_of: date
) -> Expected:
    """§8.2 from the ground truth: eligible nights, attended nights, status and flag."""
    eligible = [n for n in nights if start <= n <= end and n >= member.joined_on]
    attended = [n for n in eligible if n in member.attended]
    pct = 100.0 * len(attended) / len(eligible) if eligible else None
    if as_of < member.joined_on + timedelta(weeks=GRACE_WEEKS):
        status = "new"
    elif len(eligible) < MINIMUM_NIGHTS:
        status = "insufficient_data"
    else:
        status = "calculated"
    flag = "none"
    if status == "calculated" and pct is not None:
        flag = "none" if pct >= WARNING else "warning" if pct >= CRITICAL else "critical"
    return Expected(len(attended), len(eligible), pct, status, flag)


def _check(row: AttendanceRow, want: Expected) -> None:
    got = (row.attended, row.possible, row.percentage, row.status.value, row.flag.value)
    pct = None if want.percentage is None else round(want.percentage, 1)
    assert got == (want.attended, want.possible, pct, want.status, want.flag), row.display_name


def _in_scope(member: GenMember, types: set[str]) -> bool:
    return member.status == "active" and member.member_type in types


async def test_calendar_excludes_holidays_and_keeps_both_dst_weeks(golden: Golden) -> None:
    nights = set(golden.unit.nights)
    # Remembrance Day (a stat holiday on a Tuesday), the Christmas stand-down, a cancelled
    # training night and a day off are not nights; a cancelled *admin* night changes nothing.
    for gone in [date(2025, 11, 11), date(2025, 12, 23), date(2025, 12, 30), date(2026, 3, 17)]:
        assert gone not in nights
    assert date(2026, 4, 7) not in nights
    for kept in [date(2025, 11, 4), date(2026, 3, 10), date(2026, 2, 10), date(2025, 9, 2)]:
        assert kept in nights  # the Tuesdays after both DST changes are held
    report = await _report(golden, TrainingNightRequest())
    assert [n.on for n in report.nights] == golden.unit.nights
    assert len(golden.unit.nights) == 39  # 44 Tuesdays, 5 cancelled


async def test_full_year_matches_ground_truth(golden: Golden) -> None:
    unit = golden.unit
    report = await _report(golden, TrainingNightRequest(period=Period.CURRENT_YEAR))

    members = {m.id: m for m in unit.members if _in_scope(m, RESERVE)}
    assert {r.member_id for r in report.members} == set(members)
    as_of = unit.spec.end_on
    statuses = set()
    for row in report.members:
        want = expected(
            members[row.member_id], unit.nights, unit.spec.start_on, unit.spec.end_on, as_of
        )
        _check(row, want)
        statuses.add(want.status)
    assert statuses == {"new", "calculated"}  # joined in the last 4 weeks = new
    flags = [r.flag.value for r in report.members]
    assert report.summary.critical == flags.count("critical") > 0
    assert report.summary.warning == flags.count("warning") > 0
    assert any(m.joined_on > unit.spec.start_on for m in members.values())  # joined mid-year

    for division in report.divisions:
        rows = [r for r in report.members if r.division_code == division.division_code]
        calculated = [
            100.0 * r.attended / r.possible for r in rows if r.status.value == "calculated"
        ]
        assert division.summary.members == len(rows)
        assert division.summary.average_percentage == round(sum(calculated) / len(calculated), 1)


async def test_a_short_period_has_insufficient_data(golden: Golden) -> None:
    unit = golden.unit
    start, end = date(2025, 12, 15), date(2026, 1, 10)  # Dec 16 and Jan 6 only
    request = TrainingNightRequest(period=Period.CUSTOM, period_start=start, period_end=end)
    report = await _report(golden, request)
    assert [n.on for n in report.nights] == [date(2025, 12, 16), date(2026, 1, 6)]
    members = {m.id: m for m in unit.members}
    for row in report.members:
        _check(row, expected(members[row.member_id], unit.nights, start, end, end))
    veterans = [r for r in report.members if members[r.member_id].joined_on < date(2025, 9, 1)]
    assert veterans and {r.status.value for r in veterans} == {"insufficient_data"}
    assert report.summary.insufficient_data >= len(veterans)


async def test_ft_staff_are_counted_only_when_asked(golden: Golden) -> None:
    report = await _report(golden, TrainingNightRequest(include_ft_staff=True))
    wanted = {m.id for m in golden.unit.members if _in_scope(m, RESERVE | FT)}
    assert {r.member_id for r in report.members} == wanted
    assert any(r.member_type == "reg_force" for r in report.members)


async def test_half_year_trend_against_previous_half(golden: Golden) -> None:
    unit = golden.unit
    start, end = date(2026, 1, 1), date(2026, 6, 30)
    prev_start, prev_end = start - timedelta(days=181), start - timedelta(days=1)
    request = TrainingNightRequest(period=Period.CUSTOM, period_start=start, period_end=end)
    report = await _report(golden, request)
    assert report.previous_period is not None
    assert (report.previous_period.start_on, report.previous_period.end_on) == (
        prev_start,
        prev_end,
    )

    members = {m.id: m for m in unit.members}
    trends = set()
    for row in report.members:
        member = members[row.member_id]
        now = expected(member, unit.nights, start, end, end)
        before = expected(member, unit.nights, prev_start, prev_end, end)
        _check(row, now)
        if now.status != "calculated" or before.possible < MINIMUM_NIGHTS:
            assert (row.trend.value, row.delta) == ("none", None)
            continue
        assert now.percentage is not None and before.percentage is not None
        delta = now.percentage - before.percentage
        trend = "up" if delta > BAND else "down" if delta < -BAND else "stable"
        assert (row.trend.value, row.delta) == (trend, round(delta, 1)), (
            row.display_name,
            now,
            before,
            row,
        )
        trends.add(trend)
    assert trends == {"up", "down", "stable"}
    assert report.summary.trending_down == sum(r.trend.value == "down" for r in report.members)


async def test_one_member_who_joined_mid_year_gets_night_by_night_detail(golden: Golden) -> None:
    unit = golden.unit
    member = next(
        m for m in unit.members
        if _in_scope(m, RESERVE) and date(2025, 12, 1) < m.joined_on < date(2026, 3, 1)
    )  # fmt: skip
    request = TrainingNightRequest(
        organization_option=OrganizationOption.SPECIFIC_MEMBER, member_id=member.id
    )
    report = await _report(golden, request)
    (row,) = report.members
    assert row.nights is not None
    assert [n.on for n in row.nights] == [n for n in unit.nights if n >= member.joined_on]
    assert {n.on for n in row.nights if n.attended} == member.attended


async def test_csv_and_pdf_carry_the_same_numbers_and_are_audited(
    golden: Golden, tmp_path: Path
) -> None:
    unit = golden.unit
    request = TrainingNightRequest(organization_option=OrganizationOption.SEPARATED_BY_DIVISION)
    async with golden.sessionmaker.begin() as session:
        ctx = await load_context(session, SETTINGS, now=NOW)
        outputs = {}
        for fmt in (OutputFormat.CSV, OutputFormat.PDF):
            outputs[fmt] = await run_report(
                session,
                ReportType.TRAINING_NIGHT_ATTENDANCE,
                request,
                ctx,
                output_format=fmt,
                actor_type="cli",
                actor_id=None,
            )
        audited = await session.scalar(
            select(func.count())
            .select_from(ReportAuditLog)
            .where(ReportAuditLog.actor_type == "cli")
        )
    assert audited == 2

    content = outputs[OutputFormat.CSV].content
    assert content is not None
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    members = {m.service_number: m for m in unit.members}
    assert len(rows) == sum(_in_scope(m, RESERVE) for m in unit.members)
    for line in rows:
        want = expected(
            members[line["service_number"]],
            unit.nights,
            unit.spec.start_on,
            unit.spec.end_on,
            unit.spec.end_on,
        )
        assert int(line["attended"]) == want.attended
        assert line["percentage"] == ("" if want.percentage is None else f"{want.percentage:.1f}")

    pdf = outputs[OutputFormat.PDF].content
    assert pdf is not None and pdf.startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed (apt-get install poppler-utils): PDF not rendered")
    (tmp_path / "report.pdf").write_bytes(pdf)
    await asyncio.to_thread(
        subprocess.run,
        ["pdftoppm", "-r", "30", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    sizes = [
        p.stat().st_size for p in await asyncio.to_thread(lambda: list(tmp_path.glob("page-*.png")))
    ]
    assert len(sizes) >= 1 + 4  # title/charts, then one page per division at least
    assert all(size > 1000 for size in sizes)
