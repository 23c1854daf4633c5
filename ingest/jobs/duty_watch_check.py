"""The Duty Watch start check: at tonight's start time, alert on gaps (domain.md §5.4, §4.2).

Runs once per Duty Watch night, from the start time until the catch-up window closes.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.domain.alerts import AlertRequest
from shared.domain.duty_watch import CheckInput, night_for, start_check
from shared.policy import OperationsPolicy
from shared.services import duty_watch
from shared.store import alerts as alert_store
from shared.store import authority, jobs
from shared.store import duty_watch as dw_store
from shared.store import lockup as lockup_store

JOB = "duty_watch_check"


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession], policy: OperationsPolicy, *, now: datetime
) -> list[AlertRequest] | None:
    """Check tonight's watch if it is a watch night and the start time has come."""
    on = policy.operational_date(now)
    async with sessionmaker.begin() as session:
        night = night_for(await dw_store.rules(session), on)
        if night is None:
            return None
        due = policy.instant_on(on, night.start)
        if not due <= now <= due + policy.catch_up:
            return None
        if not await jobs.try_lock(session, JOB) or await jobs.has_run(session, JOB, on):
            return None
        tonight = await duty_watch.tonight(session, on=on)
        cycle = await lockup_store.find_current_cycle(session)
        holder = cycle.holder_id if cycle is not None else None
        labels = tonight.labels | await authority.labels(session, [holder] if holder else [])
        requests = start_check(
            CheckInput(
                on=on,
                has_schedule=tonight.schedule_id is not None,
                roster=tonight.roster,
                positions=tonight.positions,
                present=tonight.present,
                holder_id=holder,
                labels=labels,
            )
        )
        for request in requests:
            await alert_store.raise_alert(
                session,
                request,
                now=now,
                limit=policy.limit(request.type),
                details={"operational_date": on.isoformat()},
            )
        await jobs.record_run(
            session,
            JOB,
            on,
            due_at=due,
            ran_at=now,
            details={"alerts": [f"{r.type.value}:{r.subject}" for r in requests]},
        )
    return requests
