"""Revision 0005: reversible, and `checkin_hourly` answers like a raw aggregation at any time."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from alembic import command

from tests.fixtures.database import plain_dsn, run_migrations
from tests.integration.migrations.conftest import alembic_config

RAW_SQL = """
SELECT date_bin(INTERVAL '1 hour', at, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
       count(*) AS scans,
       count(*) FILTER (WHERE member_id IS NOT NULL AND direction = 'in') AS member_ins,
       count(*) FILTER (WHERE member_id IS NOT NULL AND direction = 'out') AS member_outs
FROM checkins GROUP BY 1 ORDER BY 1
"""
VIEW_SQL = """
SELECT bucket, scans, member_ins, member_outs FROM checkin_hourly ORDER BY bucket
"""


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm')"
        )
        return {r["relname"] for r in rows}
    finally:
        await conn.close()


async def test_revision_0005_downgrades_and_upgrades_again(empty_database: str) -> None:
    await asyncio.to_thread(run_migrations, empty_database, "0005")
    mine = {"training_years", "stat_holidays", "report_settings", "report_audit_log"}
    mine |= {"bmq_courses", "bmq_enrollments", "checkin_hourly"}
    assert mine <= await _tables(empty_database)

    await asyncio.to_thread(command.downgrade, alembic_config(empty_database), "0004")
    assert not mine & await _tables(empty_database)

    await asyncio.to_thread(run_migrations, empty_database, "0005")
    assert mine <= await _tables(empty_database)


async def test_hourly_aggregate_matches_raw_before_and_after_refresh(database_url: str) -> None:
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        if await conn.fetchval(
            "SELECT enabled FROM schema_features WHERE name = 'checkin_aggregates'"
        ):
            pytest.skip("TimescaleDB path: the continuous aggregate is Timescale's own")
        rank = await conn.fetchval("SELECT id FROM ranks WHERE code = 'S1'")
        member = await conn.fetchval(
            "INSERT INTO members (service_number, rank_id, first_name, last_name, display_name)"
            " VALUES ('AGG001', $1, 'A', 'B', 'S1 B, A') RETURNING id",
            rank,
        )
        now = datetime.now(UTC)
        old = [
            (now - timedelta(days=3, minutes=m * 17), "in" if m % 2 else "out") for m in range(40)
        ]
        await conn.executemany(
            "INSERT INTO checkins (at, member_id, direction, source) VALUES ($1, $2, $3, 't')",
            [(at, member, d) for at, d in old],
        )
        raw = [tuple(r) for r in await conn.fetch(RAW_SQL)]
        assert [tuple(r) for r in await conn.fetch(VIEW_SQL)] == raw  # nothing materialized yet

        assert "refreshed" in await conn.fetchval("SELECT refresh_checkin_aggregates()")
        assert await conn.fetchval("SELECT count(*) FROM checkin_hourly_mat") > 0
        assert [tuple(r) for r in await conn.fetch(VIEW_SQL)] == raw

        recent = [(now - timedelta(minutes=5), "in"), (now - timedelta(minutes=1), "out")]
        await conn.executemany(
            "INSERT INTO checkins (at, member_id, direction, source) VALUES ($1, $2, $3, 't')",
            [(at, member, d) for at, d in recent],
        )
        raw = [tuple(r) for r in await conn.fetch(RAW_SQL)]
        assert [tuple(r) for r in await conn.fetch(VIEW_SQL)] == raw  # the tail is live
    finally:
        await conn.close()
