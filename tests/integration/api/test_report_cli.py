"""`python -m tools.report` end to end: a real process against the test database."""

import asyncio
import csv
import io
import os
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.models import Checkin, Member, ReportAuditLog, TrainingYear
from tests.fixtures.factories import make_member
from tools import report as report_cli

TZ = ZoneInfo("America/Winnipeg")
ROOT = Path(__file__).resolve().parents[3]


async def _cli(database_url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "SENTINEL_DATABASE_URL": database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tools.report",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), timeout=90)
    return proc.returncode or 0, output.decode()


async def test_cli_writes_csv_and_one_pdf_per_division_and_audits(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    nights = [date(2026, 1, 6) + timedelta(days=7 * i) for i in range(6)]
    async with sessionmaker.begin() as s:
        await s.execute(
            insert(TrainingYear).values(
                name="2025-2026",
                start_on=date(2025, 9, 1),
                end_on=date(2026, 6, 30),
                is_current=True,
            )
        )
        for index, division in enumerate(["OPS", "DECK"]):
            member = await make_member(s, last_name=f"Cli{index}", division=division)
            await s.execute(
                update(Member).where(Member.id == member.id).values(joined_on=date(2020, 1, 1))
            )
            for night in nights[: 3 + index]:
                start = datetime.combine(night, time(19), tzinfo=TZ).astimezone(UTC)
                await s.execute(
                    insert(Checkin),
                    [
                        {"at": start, "member_id": member.id, "direction": "in", "source": "t"},
                        {
                            "at": start + timedelta(hours=2),
                            "member_id": member.id,
                            "direction": "out",
                            "source": "t",
                        },
                    ],
                )
    now = "2026-02-13T12:00:00+00:00"  # six Tuesdays of January and February are over
    code, output = await _cli(
        database_url,
        "training-nights",
        "--period",
        "custom",
        "--start",
        "2026-01-01",
        "--end",
        "2026-02-28",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "tn.csv"),
        "--now",
        now,
    )
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "tn.csv").read_text())))
    assert sorted((r["last_name"], r["attended"], r["possible"]) for r in rows) == [
        ("Cli0", "3", "6"),
        ("Cli1", "4", "6"),
    ]

    code, output = await _cli(
        database_url,
        "training-nights",
        "--split-divisions",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "split"),
        "--now",
        now,
    )
    assert code == 0, output
    pdfs = sorted(p.name for p in (tmp_path / "split").iterdir())
    assert len(pdfs) == 2 and all(name.endswith(".pdf") for name in pdfs)
    assert any("DECK" in name for name in pdfs) and any("OPS" in name for name in pdfs)

    code, output = await _cli(database_url, "refresh-aggregates")
    assert code == 0 and "refresh" in output, output
    code, output = await _cli(
        database_url, "visitors", "--start", "2026-02-02", "--end", "2026-02-01"
    )
    assert code == 2 and "invalid arguments" in output

    async with sessionmaker() as s:
        audited = await s.scalar(
            select(func.count())
            .select_from(ReportAuditLog)
            .where(ReportAuditLog.actor_type == "cli")
        )
    assert audited == 3


def test_cli_refuses_backwards_dates_before_connecting(capsys: pytest.CaptureFixture[str]) -> None:
    assert report_cli.main(["visitors", "--start", "2026-02-02", "--end", "2026-02-01"]) == 2
    assert "invalid arguments" in capsys.readouterr().err
