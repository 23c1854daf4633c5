"""The hourly check-in aggregate (`checkin_hourly`): flows, refresh and TimescaleDB policies.

`checkin_hourly` is a real-time continuous aggregate on TimescaleDB and a materialized view plus
a raw tail on plain PostgreSQL (migration 0005); the same SQL reads both and gets the same
answer. `refresh_aggregates` is what a scheduled job calls.
"""

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.occupancy import HourFlow
from shared.domain.report_settings import TimeseriesSettings

# Also replayed verbatim by the TimescaleDB smoke test (tests/integration/migrations).
HOURLY_FLOWS_SQL = """
SELECT bucket, sum(member_ins)::int AS arrivals, sum(member_outs)::int AS departures
FROM checkin_hourly
WHERE bucket >= :start_at AND bucket < :end_at
GROUP BY bucket ORDER BY bucket
"""


async def uses_timescale(session: AsyncSession) -> bool:
    """True when the aggregate is a TimescaleDB continuous aggregate."""
    enabled = await session.scalar(
        text("SELECT enabled FROM schema_features WHERE name = 'checkin_aggregates'")
    )
    return bool(enabled)


async def hourly_flows(
    session: AsyncSession, *, start_at: datetime, end_at: datetime
) -> list[HourFlow]:
    """Return member arrivals and departures per hour bucket in `[start_at, end_at)`."""
    rows = await session.execute(text(HOURLY_FLOWS_SQL), {"start_at": start_at, "end_at": end_at})
    return [HourFlow(row.bucket, row.arrivals, row.departures) for row in rows]


async def members_present_at(session: AsyncSession, at: datetime) -> int:
    """Count members whose latest check-in before `at` is an `in` (one index probe each)."""
    count = await session.scalar(
        text(
            """
            SELECT count(*) FROM members m
            CROSS JOIN LATERAL (
                SELECT c.direction FROM checkins c
                WHERE c.member_id = m.id AND c.at < :at
                ORDER BY c.at DESC LIMIT 1
            ) latest
            WHERE latest.direction = 'in'
            """
        ),
        {"at": at},
    )
    return int(count or 0)


async def visitors_present_at_hours(
    session: AsyncSession, *, start_at: datetime, end_at: datetime
) -> dict[datetime, int]:
    """Return visitors signed in at the end of each hour bucket in `[start_at, end_at)`."""
    rows = await session.execute(
        text(
            """
            SELECT h AS bucket, count(v.id)::int AS present
            FROM generate_series(CAST(:start_at AS timestamptz),
                                 CAST(:end_at AS timestamptz) - INTERVAL '1 hour',
                                 INTERVAL '1 hour') h
            LEFT JOIN visitors v
              ON v.check_in_at < h + INTERVAL '1 hour'
             AND (v.check_out_at IS NULL OR v.check_out_at >= h + INTERVAL '1 hour')
            GROUP BY h
            """
        ),
        {"start_at": start_at, "end_at": end_at},
    )
    return {row.bucket: row.present for row in rows}


async def refresh_aggregates(session: AsyncSession, settings: TimeseriesSettings) -> str:
    """Refresh the aggregate and apply retention on plain PostgreSQL; return what was done.

    On TimescaleDB the background policies do both, so this only reports that.
    """
    if await uses_timescale(session):
        return "timescaledb policies"
    deleted = 0
    if settings.retention_days is not None:
        result = await session.execute(
            text("DELETE FROM checkins WHERE at < now() - make_interval(days => :days)"),
            {"days": settings.retention_days},
        )
        deleted = int(getattr(result, "rowcount", 0) or 0)
    done = await session.scalar(text("SELECT refresh_checkin_aggregates()"))
    return f"{done}; retention deleted {deleted}"


async def apply_policies(session: AsyncSession, settings: TimeseriesSettings) -> str:
    """Set TimescaleDB compression and retention on `checkins` to match `settings`."""
    if not await uses_timescale(session):
        return "plain postgresql: compression n/a, retention runs in refresh_aggregates"
    await session.execute(text("SELECT remove_compression_policy('checkins', if_exists => true)"))
    if settings.compress_after_days is not None:
        await session.execute(
            text("SELECT add_compression_policy('checkins', make_interval(days => :days))"),
            {"days": settings.compress_after_days},
        )
    await session.execute(text("SELECT remove_retention_policy('checkins', if_exists => true)"))
    if settings.retention_days is not None:
        await session.execute(
            text("SELECT add_retention_policy('checkins', make_interval(days => :days))"),
            {"days": settings.retention_days},
        )
    return "timescaledb policies updated"
