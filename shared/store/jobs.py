"""Scheduled-job bookkeeping: the per-job advisory lock and the run marker per date."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import JobRun


async def try_lock(session: AsyncSession, job: str) -> bool:
    """Take the job's transaction-scoped advisory lock; False if another process holds it."""
    got = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(hashtext('sentinel:job'), hashtext(:job))"),
        {"job": job},
    )
    return bool(got)


async def has_run(session: AsyncSession, job: str, on: date) -> bool:
    """True when the job already ran for operational date `on`."""
    found = await session.scalar(
        select(JobRun.job).where(JobRun.job == job, JobRun.operational_date == on)
    )
    return found is not None


async def record_run(
    session: AsyncSession,
    job: str,
    on: date,
    *,
    due_at: datetime,
    ran_at: datetime,
    details: dict[str, Any],
) -> None:
    """Mark the job as run for `on`; the primary key makes a second marker impossible."""
    await session.execute(
        insert(JobRun).values(
            job=job, operational_date=on, due_at=due_at, ran_at=ran_at, details=details
        )
    )


async def last_run(session: AsyncSession, job: str) -> JobRun | None:
    """Return the job's most recent run."""
    return await session.scalar(
        select(JobRun).where(JobRun.job == job).order_by(JobRun.operational_date.desc()).limit(1)
    )
