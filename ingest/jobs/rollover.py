"""The daily rollover job: runs `shared.services.rollover` once per operational date.

Due from the rollover instant on; a run missed while the ingest was down happens at the next
tick (start-up catch-up). Two ingest processes race on `pg_try_advisory_xact_lock`, and the
`job_runs` marker in the same transaction keeps it at most once (domain.md §0.2 rule 7).
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.policy import OperationsPolicy
from shared.services.rollover import RolloverReport, ensure_rolled_over


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession], policy: OperationsPolicy, *, now: datetime
) -> RolloverReport | None:
    """Roll over to today's operational date unless that already happened."""
    async with sessionmaker.begin() as session:
        return await ensure_rolled_over(session, policy, now=now, wait=False)
