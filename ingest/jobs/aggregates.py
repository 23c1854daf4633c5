"""The daily aggregate job: refresh the hourly check-in aggregate and apply retention.

On plain PostgreSQL `checkin_hourly` is a materialized view plus the raw rows after it, so a
daily refresh keeps report queries short and `retention_days` (report settings) is applied here.
On TimescaleDB the extension's own policies do both and the job only records that.
Runs once per operational day, at the first tick after the day rolls over.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.policy import OperationsPolicy
from shared.store import jobs, occupancy
from shared.store.report_settings import load_report_settings

JOB = "aggregate_refresh"


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession], policy: OperationsPolicy, *, now: datetime
) -> str | None:
    """Refresh once for today's operational date; return what was done, None if not due."""
    on = policy.operational_date(now)
    async with sessionmaker.begin() as session:
        if not await jobs.try_lock(session, JOB) or await jobs.has_run(session, JOB, on):
            return None
        settings = await load_report_settings(session)
        done = await occupancy.refresh_aggregates(session, settings.timeseries)
        await jobs.record_run(session, JOB, on, due_at=now, ran_at=now, details={"done": done})
    return done
