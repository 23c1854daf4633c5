"""Lockup reminders: a warning at 22:00 and a critical alert at 23:00 if not secured (§4.2).

Each phase runs once per operational date, from its time until the catch-up window closes.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.domain.alerts import AlertRequest
from shared.domain.lockup import ReminderPhase, reminder_alerts
from shared.policy import OperationsPolicy
from shared.store import alerts as alert_store
from shared.store import authority, jobs
from shared.store import lockup as lockup_store


def is_due(policy: OperationsPolicy, phase: ReminderPhase, *, now: datetime) -> bool:
    """True between the phase's time today and the end of the catch-up window."""
    on = policy.operational_date(now)
    at = policy.lockup_warning if phase is ReminderPhase.WARNING else policy.lockup_critical
    due = policy.instant_on(on, at)
    return due <= now <= due + policy.catch_up


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    policy: OperationsPolicy,
    phase: ReminderPhase,
    *,
    now: datetime,
) -> list[AlertRequest] | None:
    """Raise the phase's alerts if due and not yet done today; None when it did not run."""
    if not is_due(policy, phase, now=now):
        return None
    on = policy.operational_date(now)
    job = f"lockup_{phase.value}"
    async with sessionmaker.begin() as session:
        if not await jobs.try_lock(session, job) or await jobs.has_run(session, job, on):
            return None
        cycle = await lockup_store.find_current_cycle(session)
        if cycle is None or cycle.operational_date != on:
            return None  # the rollover has not started today's cycle yet; retry next tick
        names = await authority.labels(session, [cycle.holder_id] if cycle.holder_id else [])
        label = names.get(cycle.holder_id) if cycle.holder_id else None
        requests = reminder_alerts(cycle.view, phase=phase, on=on, holder_label=label)
        for request in requests:
            await alert_store.raise_alert(
                session,
                request,
                now=now,
                limit=policy.limit(request.type),
                details={"operational_date": on.isoformat(), "cycle_id": str(cycle.id)},
            )
        await jobs.record_run(
            session,
            job,
            on,
            due_at=policy.instant_on(
                on,
                policy.lockup_warning if phase is ReminderPhase.WARNING else policy.lockup_critical,
            ),
            ran_at=now,
            details={"alerts": [r.type.value for r in requests], "status": cycle.status.value},
        )
    return requests
