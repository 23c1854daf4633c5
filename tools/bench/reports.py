"""`python -m tools.bench.reports`: time the training-night report on a generated unit.

Starts a throwaway PostgreSQL (or uses `--database-url`, an admin URL where a scratch database
is created, then dropped), migrates it, loads a unit of `--members` members with a year of check-ins
(`tools.bench.unitgen`), then runs the report `--runs` times and prints the timings. The target
is under one second for 500 members × 1 year (issue 7); exit status 1 when the median misses
`--budget-s`. JSON is what is timed; CSV and PDF rendering times are printed for information.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from api.reports.context import load_context
from api.reports.run import run_report
from api.schemas.reports import OrganizationOption, OutputFormat, ReportType, TrainingNightRequest
from shared.db.engine import make_engine, make_sessionmaker
from shared.settings import Settings
from tools.bench.common import admin_sql
from tools.bench.unitgen import UnitSpec, generate_unit, load_unit
from tools.localservices.postgres import Postgres
from tools.stack import migrate

NOW = datetime(2026, 7, 15, 18, 0, tzinfo=UTC)


async def _create_database(admin_url: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    await admin_sql(admin_url, f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


async def _drop_database(admin_url: str, url: str) -> None:
    name = url.rpartition("/")[2]
    await admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _time_once(url: str, fmt: OutputFormat, request: TrainingNightRequest) -> float:
    engine = make_engine(url, application_name="bench-reports")
    try:
        sessionmaker = make_sessionmaker(engine)
        settings = Settings.model_validate({"database_url": url})
        async with sessionmaker.begin() as session:
            ctx = await load_context(session, settings, now=NOW)
            started = time.perf_counter()
            out = await run_report(
                session,
                ReportType.TRAINING_NIGHT_ATTENDANCE,
                request,
                ctx,
                output_format=fmt,
                actor_type="system",
                actor_id=None,
            )
            if fmt is OutputFormat.JSON:
                out.result.model_dump_json()  # the API's work after the builder
            return time.perf_counter() - started
    finally:
        await engine.dispose()


async def _bench(url: str, args: argparse.Namespace) -> int:
    print(f"generating {args.members} members × 1 training year …", flush=True)
    unit = generate_unit(UnitSpec(members=args.members, seed=args.seed))
    engine = make_engine(url, application_name="bench-load")
    try:
        async with make_sessionmaker(engine).begin() as session:
            started = time.perf_counter()
            await load_unit(session, unit)
        print(
            f"loaded {len(unit.checkins):,} check-ins in {time.perf_counter() - started:.2f} s",
            flush=True,
        )
    finally:
        await engine.dispose()
    request = TrainingNightRequest(
        include_ft_staff=True, organization_option=OrganizationOption.GROUPED_BY_DIVISION
    )
    runs = [await _time_once(url, OutputFormat.JSON, request) for _ in range(args.runs)]
    median = statistics.median(runs)
    print(
        f"training-night report, {args.members} members × 1 year (JSON): "
        f"first {runs[0]:.3f} s, median {median:.3f} s, best {min(runs):.3f} s "
        f"over {len(runs)} runs"
    )
    for fmt in (OutputFormat.CSV, OutputFormat.PDF):
        print(f"  with {fmt.value} rendering: {await _time_once(url, fmt, request):.3f} s")
    if median > args.budget_s:
        print(f"FAIL: median {median:.3f} s is over the {args.budget_s} s budget")
        return 1
    print(f"OK: under the {args.budget_s} s budget")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget-s", type=float, default=1.0)
    parser.add_argument("--database-url", help="admin URL of an existing server")
    args = parser.parse_args(argv)
    if args.database_url:
        url = asyncio.run(_create_database(args.database_url))
        try:
            migrate(url)
            return asyncio.run(_bench(url, args))
        finally:  # a scratch database: not left behind on the caller's server
            asyncio.run(_drop_database(args.database_url, url))
    with tempfile.TemporaryDirectory(prefix="sentinel-bench-") as scratch:
        server = Postgres(Path(scratch) / "pg", durable=False)
        server.start()
        try:
            url = asyncio.run(_create_database(server.url("postgres")))
            migrate(url)
            return asyncio.run(_bench(url, args))
        finally:
            server.stop("immediate")


if __name__ == "__main__":
    sys.exit(main())
