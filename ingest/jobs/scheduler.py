"""The ingest's scheduler: every tick, run whichever daily jobs are due (rollover first).

Jobs decide from the injected clock whether they are due and record each run in `job_runs`,
so a tick is cheap, a restart catches up and the wake-up period only bounds the delay.
"""

import asyncio
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.dberrors import DatabaseUnavailable, is_connection_error
from ingest.jobs import aggregates, duty_watch_check, lockup_reminders, rollover
from shared.clock import Clock
from shared.domain.lockup import ReminderPhase
from shared.policy import OperationsPolicy, operations_policy
from shared.services import building_state
from shared.settings import Settings
from shared.store import lockup as lockup_store

log = logging.getLogger(__name__)


async def run_due(
    sessionmaker: async_sessionmaker[AsyncSession], policy: OperationsPolicy, *, now: datetime
) -> list[str]:
    """Run every due job once, in order; return the names of those that ran."""
    ran: list[str] = []
    if await rollover.run_once(sessionmaker, policy, now=now) is not None:
        ran.append("rollover")
    if await aggregates.run_once(sessionmaker, policy, now=now) is not None:
        ran.append(aggregates.JOB)
    for phase in ReminderPhase:
        if await lockup_reminders.run_once(sessionmaker, policy, phase, now=now) is not None:
            ran.append(f"lockup_{phase.value}")
    if await duty_watch_check.run_once(sessionmaker, policy, now=now) is not None:
        ran.append("duty_watch_check")
    return ran


async def publish_building_state(
    sessionmaker: async_sessionmaker[AsyncSession], policy: OperationsPolicy, *, now: datetime
) -> None:
    """Re-queue the retained building topics, so a broker that lost them gets them back."""
    async with sessionmaker.begin() as session:
        await lockup_store.lock_building(session)
        await building_state.publish_state(session, on=policy.operational_date(now), now=now)


async def run(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> None:
    """Re-publish the building state, then tick forever (returns when disabled)."""
    if not settings.scheduler_enabled:
        log.info("scheduler_disabled")
        return
    policy = operations_policy(settings)
    try:
        await publish_building_state(sessionmaker, policy, now=clock.now())
    except Exception as exc:
        if is_connection_error(exc):
            raise DatabaseUnavailable(str(exc)) from exc
        raise
    while True:
        try:
            ran = await run_due(sessionmaker, policy, now=clock.now())
        except Exception as exc:
            if is_connection_error(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            # A bug in one job must not stop the others or the ingest; the next tick retries.
            log.exception("scheduler_tick_failed")
            metrics.SCHEDULER_FAILURES.inc()
        else:
            for name in ran:
                metrics.JOB_RUNS.labels(name).inc()
                log.info("job_ran", extra={"job": name})
        await asyncio.sleep(settings.scheduler_tick_s)  # a wake-up period, not synchronisation
