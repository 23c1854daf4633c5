"""`python -m tools.bench.api_members`: latency of the member list (2,000 members, pages of 50).

Builds a throwaway database (migrations + seeded members), signs in an Admin and calls
`GET /api/members` in-process (httpx ASGI transport, no network), then prints p50/p95/p99.
Without `--server-url` it starts a temporary PostgreSQL from the local binaries.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import text

from api.app import create_app
from shared.clock import SystemClock
from shared.db.engine import make_engine, make_sessionmaker
from shared.settings import Settings
from shared.store import sessions
from tools.bench.common import admin_sql, percentile
from tools.localservices.postgres import Postgres
from tools.seed import seed
from tools.stack import migrate

SORTS = ["last_name", "rank", "display_name", "division", "service_number"]


async def _prepare(url: str, members: int) -> str:
    """Seed members and an Admin session; return the session token."""
    engine = make_engine(url, application_name="sentinel-bench")
    try:
        async with make_sessionmaker(engine).begin() as session:
            made = await seed(session, members=members, rng=random.Random(7))
            admin = uuid.UUID(made[0].member_id)
            await session.execute(
                text("UPDATE members SET account_level = 5 WHERE id = :i"), {"i": admin}
            )
            created = await sessions.create_session(
                session, admin, now=SystemClock().now(), ttl=timedelta(hours=1)
            )
        return created.token
    finally:
        await engine.dispose()


async def _measure(url: str, token: str, *, requests: int, members: int) -> list[float]:
    settings = Settings.model_validate({"database_url": url, "mqtt_url": "mqtt://127.0.0.1:9"})
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(11)
    pages = max(1, members // 50)
    timings: list[float] = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as client,
    ):
        for i in range(requests + 30):
            params: dict[str, str | int] = {
                "page": rng.randint(1, pages),
                "page_size": 50,
                "sort": rng.choice(SORTS),
            }
            started = time.perf_counter()
            response = await client.get("/api/members", params=params, headers=headers)
            elapsed = time.perf_counter() - started
            if response.status_code != 200 or len(response.json()["items"]) != 50:
                raise RuntimeError(f"unexpected answer {response.status_code}: {response.text}")
            if i >= 30:  # the first requests warm the pool and the plan cache
                timings.append(elapsed * 1000)
    return timings


async def _bench(server_url: str, *, members: int, requests: int) -> list[float]:
    name = f"sentinel_bench_{uuid.uuid4().hex[:8]}"
    await admin_sql(server_url, f'CREATE DATABASE "{name}"')
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        await asyncio.to_thread(migrate, url)
        token = await _prepare(url, members)
        return await _measure(url, token, requests=requests, members=members)
    finally:
        await admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    """Entry point; prints the latency figures."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench.api_members", description=__doc__)
    parser.add_argument("--server-url", help="postgresql+asyncpg://user@host:port/postgres")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args(argv)
    local: Postgres | None = None
    server_url = args.server_url or os.environ.get("SENTINEL_BENCH_SERVER_URL")
    scratch = tempfile.TemporaryDirectory(prefix="sentinel-bench-")
    if not server_url:
        local = Postgres(Path(scratch.name) / "cluster", durable=False)
        local.start()
        server_url = local.url("postgres")
    try:
        timings = asyncio.run(_bench(server_url, members=args.members, requests=args.requests))
    finally:
        if local is not None:
            local.stop("immediate")
        scratch.cleanup()
    print(f"GET /api/members  members={args.members} page_size=50 requests={len(timings)}")
    print(
        f"  p50 {percentile(timings, 50):.1f} ms  p95 {percentile(timings, 95):.1f} ms"
        f"  p99 {percentile(timings, 99):.1f} ms  max {max(timings):.1f} ms"
        f"  mean {statistics.fmean(timings):.1f} ms"
    )
    print(f"  throughput {1000 / statistics.fmean(timings):.0f} req/s (one client, in-process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
