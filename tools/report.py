"""`python -m tools.report`: generate any report as JSON, CSV or PDF from the command line.

    python -m tools.report training-nights --period current_year --format pdf
    python -m tools.report training-nights --split-divisions --format pdf --out reports/
    python -m tools.report daily --date 2026-03-03 --format csv
    python -m tools.report presence --date 2026-03-03 --days 7 --format pdf
    python -m tools.report refresh-aggregates

Connects to SENTINEL_DATABASE_URL, shows progress on stderr (rich), writes each report to
`report_audit_log` as actor `cli`, and prints where the file went. Exit status 2 on bad
arguments, 1 when the report is refused (e.g. no current training year).
"""

import argparse
import asyncio
import sys
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from api.reports.context import load_context
from api.reports.run import run_report
from api.schemas.reports import (
    BmqRequest,
    DailyCheckinRequest,
    LockupSummaryRequest,
    OrganizationOption,
    OutputFormat,
    PresenceOverTimeRequest,
    ReportRequest,
    ReportType,
    RosterRequest,
    TrainingNightRequest,
    VisitorSummaryRequest,
)
from shared.clock import SystemClock
from shared.db.engine import make_engine, make_sessionmaker
from shared.errors import SentinelError
from shared.settings import Settings
from shared.store import occupancy as occupancy_store
from shared.store import reports as report_store
from shared.store.report_settings import load_report_settings

COMMANDS = {
    "training-nights": ReportType.TRAINING_NIGHT_ATTENDANCE,
    "bmq": ReportType.BMQ_ATTENDANCE,
    "daily": ReportType.DAILY_CHECKIN,
    "roster": ReportType.PERSONNEL_ROSTER,
    "visitors": ReportType.VISITOR_SUMMARY,
    "presence": ReportType.PRESENCE_OVER_TIME,
    "lockup": ReportType.LOCKUP_SUMMARY,
}
STEPS = 8  # the most progress steps a report reports (training nights with PDF)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.report", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--format", choices=[f.value for f in OutputFormat], default="pdf")
    common.add_argument("--out", type=Path, help="file, or directory for --split-divisions")
    common.add_argument("--now", type=datetime.fromisoformat, help=argparse.SUPPRESS)
    t = sub.add_parser("training-nights", parents=[common], help="training-night attendance")
    t.add_argument(
        "--period",
        default="current_year",
        choices=["current_year", "last_quarter", "last_month", "custom"],
    )
    t.add_argument("--start", type=date.fromisoformat)
    t.add_argument("--end", type=date.fromisoformat)
    t.add_argument(
        "--organization", default="full_unit", choices=[o.value for o in OrganizationOption]
    )
    t.add_argument("--division-id", type=uuid.UUID)
    t.add_argument("--member-id", type=uuid.UUID)
    t.add_argument("--include-ft-staff", action=argparse.BooleanOptionalAction, default=None)
    t.add_argument("--split-divisions", action="store_true", help="one file per division")
    b = sub.add_parser("bmq", parents=[common], help="BMQ course attendance")
    b.add_argument("--course-id", type=uuid.UUID, required=True)
    d = sub.add_parser("daily", parents=[common], help="daily check-in")
    d.add_argument("--date", type=date.fromisoformat)
    d.add_argument("--member-type", default="all", choices=["all", "ft_staff", "reserve"])
    r = sub.add_parser("roster", parents=[common], help="personnel roster")
    r.add_argument(
        "--sort", default="division_rank", choices=["division_rank", "rank", "alphabetical"]
    )
    v = sub.add_parser("visitors", parents=[common], help="visitor summary")
    v.add_argument("--start", type=date.fromisoformat, required=True)
    v.add_argument("--end", type=date.fromisoformat, required=True)
    p = sub.add_parser("presence", parents=[common], help="presence over time (hourly)")
    p.add_argument("--date", type=date.fromisoformat)
    p.add_argument("--days", type=int, default=1)
    lk = sub.add_parser("lockup", parents=[common], help="lockup and DDS summary")
    lk.add_argument("--start", type=date.fromisoformat, required=True)
    lk.add_argument("--end", type=date.fromisoformat, required=True)
    sub.add_parser("refresh-aggregates", help="refresh the hourly check-in aggregate")
    return parser


def build_request(args: argparse.Namespace) -> ReportRequest:
    """The report's request body from the arguments (validated like an API body)."""
    command = args.command
    if command == "training-nights":
        return TrainingNightRequest(
            period=args.period,
            period_start=args.start,
            period_end=args.end,
            organization_option=args.organization,
            division_id=args.division_id,
            member_id=args.member_id,
            include_ft_staff=args.include_ft_staff,
        )
    if command == "bmq":
        return BmqRequest(course_id=args.course_id)
    if command == "daily":
        return DailyCheckinRequest(operational_date=args.date, member_type=args.member_type)
    if command == "roster":
        return RosterRequest(sort_order=args.sort)
    if command == "visitors":
        return VisitorSummaryRequest(start_date=args.start, end_date=args.end)
    if command == "presence":
        return PresenceOverTimeRequest(start_date=args.date, days=args.days)
    return LockupSummaryRequest(start_date=args.start, end_date=args.end)


async def _divisions(
    settings: Settings, request: TrainingNightRequest
) -> list[tuple[str, TrainingNightRequest]]:
    """One request per division that has members in the report's scope."""
    engine = make_engine(settings.database_url, application_name="sentinel-report", pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            report_settings = await load_report_settings(session)
            include = request.include_ft_staff
            if include is None:
                include = report_settings.member_handling.include_ft_staff
            types = report_store.RESERVE + (report_store.FT_STAFF if include else ())
            members = await report_store.report_members(
                session, tz=settings.timezone, member_types=types
            )
    finally:
        await engine.dispose()
    seen: dict[uuid.UUID, str] = {}
    for member in members:
        if member.division_id and member.division_id not in seen:
            seen[member.division_id] = member.division_code or str(member.division_id)
    return [
        (
            code,
            request.model_copy(
                update={
                    "organization_option": OrganizationOption.SPECIFIC_DIVISION,
                    "division_id": division_id,
                }
            ),
        )
        for division_id, code in seen.items()
    ]


async def _one(
    settings: Settings,
    report_type: ReportType,
    request: ReportRequest,
    fmt: OutputFormat,
    now: datetime,
    progress: Callable[[str], None],
) -> tuple[bytes, str, int]:
    """Run one report in its own transaction; return content, default file name and rows."""
    engine = make_engine(settings.database_url, application_name="sentinel-report", pool_size=1)
    try:
        async with make_sessionmaker(engine).begin() as session:
            ctx = await load_context(session, settings, now=now, progress=progress)
            out = await run_report(
                session,
                report_type,
                request,
                ctx,
                output_format=fmt,
                actor_type="cli",
                actor_id=None,
            )
    finally:
        await engine.dispose()
    content = (
        out.content if out.content is not None else out.result.model_dump_json(indent=2).encode()
    )
    return content, out.filename, out.rows


async def _refresh(settings: Settings) -> str:
    engine = make_engine(settings.database_url, application_name="sentinel-report", pool_size=1)
    try:
        async with make_sessionmaker(engine).begin() as session:
            report_settings = await load_report_settings(session)
            return await occupancy_store.refresh_aggregates(session, report_settings.timeseries)
    finally:
        await engine.dispose()


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    if args.command == "refresh-aggregates":
        console.print(await _refresh(settings))
        return 0
    report_type = COMMANDS[args.command]
    request = build_request(args)
    fmt = OutputFormat(args.format)
    now = args.now or SystemClock().now()
    jobs: list[tuple[str | None, ReportRequest]] = [(None, request)]
    if getattr(args, "split_divisions", False) and isinstance(request, TrainingNightRequest):
        jobs = list(await _divisions(settings, request))
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("starting", total=len(jobs) * STEPS)
        for label, job in jobs:
            done = bar.tasks[task].completed

            def step(text: str, label: str | None = label) -> None:
                bar.update(task, description=f"{label or report_type.value}: {text}", advance=1)

            content, filename, rows = await _one(settings, report_type, job, fmt, now, step)
            target = _target(args.out, filename, label)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            bar.update(task, completed=done + STEPS)
            console.print(f"{target} ({rows} rows, {len(content):,} bytes)")
    return 0


def _target(out: Path | None, filename: str, label: str | None) -> Path:
    name = filename if label is None else filename.replace(".", f"-{label}.", 1)
    if out is None:
        return Path(name)
    if label is not None or out.is_dir():
        return out / name
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    console = Console(stderr=True)
    try:
        settings = Settings()
    except ValidationError as exc:
        console.print(f"report: invalid configuration: {exc.errors()[0]['msg']}")
        return 2
    try:
        return asyncio.run(_run(args, settings, console))
    except ValidationError as exc:
        console.print(f"report: invalid arguments: {exc.errors()[0]['msg']}")
        return 2
    except SentinelError as exc:
        console.print(f"report: {exc.code}: {exc.message}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
