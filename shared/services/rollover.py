"""The daily rollover (domain.md §0.2 rule 7): close the operational day, start the next.

Runs at most once per operational date: the caller holds the `rollover` job lock and the
`job_runs` marker is written in the same transaction. Steps: alert if the building was left
unsecured; sign out visitors and force-check-out members still in, at exactly the rollover
instant, with missed-checkout records and one alert; end live Duty Watch coverage; start a new
secured lockup cycle; create today's pending DDS from the schedule unless a weekly handover is
pending; end the previous day's login sessions; publish the building state.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.building import BuildingChange, BuildingEventKind
from shared.domain.alerts import AlertRequest
from shared.domain.checkin import Method
from shared.domain.dds import DdsStatus, should_create_pending
from shared.domain.duty_watch import LiveEndReason
from shared.domain.rollover import building_alert, missed_checkout_alert
from shared.policy import OperationsPolicy
from shared.services import building_state, forced_checkout
from shared.store import alerts as alert_store
from shared.store import audit, authority, jobs
from shared.store import dds as dds_store
from shared.store import lockup as lockup_store

log = logging.getLogger(__name__)
JOB = "rollover"
SOURCE = "SYSTEM"


@dataclass
class RolloverReport:
    """What one rollover did."""

    on: date
    instant: datetime
    members: list[str] = field(default_factory=list)
    visitors: int = 0
    alerts: list[str] = field(default_factory=list)
    pending_dds: bool = False
    sessions_ended: int = 0


async def ensure_rolled_over(
    session: AsyncSession, policy: OperationsPolicy, *, now: datetime, wait: bool
) -> RolloverReport | None:
    """Run today's rollover unless it already ran; None when nothing was done.

    `wait=False` (the scheduler) skips when another process holds the job lock; `wait=True`
    (an API write) waits for that process so it never acts on yesterday's cycle.
    """
    if wait:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('sentinel:job'), hashtext(:j))"),
            {"j": JOB},
        )
    elif not await jobs.try_lock(session, JOB):
        return None
    on = policy.operational_date(now)
    if await jobs.has_run(session, JOB, on):
        return None
    report = await roll_over(session, policy, on=on, now=now)
    await jobs.record_run(
        session,
        JOB,
        on,
        due_at=report.instant,
        ran_at=now,
        details={
            "members": len(report.members),
            "visitors": report.visitors,
            "alerts": report.alerts,
            "pending_dds": report.pending_dds,
            "sessions_ended": report.sessions_ended,
        },
    )
    log.info(
        "rollover_done", extra={"operational_date": on.isoformat(), "late": now > report.instant}
    )
    return report


async def roll_over(
    session: AsyncSession, policy: OperationsPolicy, *, on: date, now: datetime
) -> RolloverReport:
    """Close the previous operational day and start `on` (no run-marker checks here)."""
    instant = policy.rollover_instant(on)
    closing = on - timedelta(days=1)
    report = RolloverReport(on, instant)
    await lockup_store.lock_building(session)
    previous = await lockup_store.find_current_cycle(session)
    if previous is not None:
        names = await authority.labels(session, [previous.holder_id] if previous.holder_id else [])
        alert = building_alert(
            previous.status,
            on=previous.operational_date,
            holder_label=names.get(previous.holder_id) if previous.holder_id else None,
        )
        if alert is not None:
            await _raise(session, policy, alert, now=now, report=report)
    report.visitors = len(
        await forced_checkout.check_out_visitors(session, at=instant, only_before=True)
    )
    how = forced_checkout.Checkout(
        at=instant,
        now=now,
        on=closing,
        source=SOURCE,
        method=Method.SYSTEM,
        live_end_reason=LiveEndReason.DAILY_RESET,
        resolved_by="daily_reset",
        notes="Force-checked out by the daily rollover",
        correlation_id=f"rollover:{on.isoformat()}",
        only_before=True,
    )
    forced = await forced_checkout.check_out_members(
        session, sorted(await authority.present_ids(session)), how
    )
    if not forced and report.visitors:
        await forced_checkout.queue_presence(session, now=now)
    report.members = [p.name for p in forced]
    alert = missed_checkout_alert(report.members, on=closing)
    if alert is not None:
        await _raise(session, policy, alert, now=now, report=report)
    await session.execute(
        text(
            "UPDATE live_duty_assignments SET ended_at = :at, ended_reason = 'daily_reset'"
            " WHERE ended_at IS NULL AND started_at < :at"
        ),
        {"at": instant},
    )
    await lockup_store.start_cycle(session, on=on, now=now, closed_reason="rollover")
    report.pending_dds = await _pending_dds(session, on=on, now=now)
    report.sessions_ended = await _end_sessions(session, before=instant, now=now)
    await _publish(session, report, now=now)
    return report


async def _raise(
    session: AsyncSession,
    policy: OperationsPolicy,
    request: AlertRequest,
    *,
    now: datetime,
    report: RolloverReport,
) -> None:
    raised = await alert_store.raise_alert(
        session, request, now=now, limit=policy.limit(request.type)
    )
    if raised.created:
        report.alerts.append(request.type.value)


async def _pending_dds(session: AsyncSession, *, on: date, now: datetime) -> bool:
    snapshot = await building_state.dds_snapshot(session, on=on)
    if not should_create_pending(
        scheduled=snapshot.incoming,
        has_live_row=snapshot.today_row is not None,
        handover_pending=snapshot.handover_pending,
    ):
        return False
    assert snapshot.incoming is not None  # should_create_pending checked it
    await dds_store.insert_row(
        session,
        member_id=snapshot.incoming,
        on=on,
        status=DdsStatus.PENDING,
        now=now,
        notes="Auto-created from weekly schedule during daily reset",
    )
    return True


async def _end_sessions(session: AsyncSession, *, before: datetime, now: datetime) -> int:
    # Like shared.store.sessions.end_all_sessions, but only sessions opened before the
    # rollover instant: a late catch-up run must not sign out people who logged in today.
    result = await session.execute(
        text(
            "UPDATE member_sessions SET ended_at = :now, end_reason = 'daily_reset'"
            " WHERE ended_at IS NULL AND created_at < :before"
        ),
        {"now": now, "before": before},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _publish(session: AsyncSession, report: RolloverReport, *, now: datetime) -> None:
    await building_state.publish_state(session, on=report.on, now=now)
    event = BuildingChange(
        kind=BuildingEventKind.DAY_ROLLED_OVER,
        at=now,
        operational_date=report.on,
        members_checked_out=len(report.members),
        visitors_checked_out=report.visitors,
    )
    await building_state.publish_event(session, event.kind.value, event)
    await audit.record(
        session,
        [
            audit.AuditEntry(
                "daily_reset",
                "operational_day",
                report.on.isoformat(),
                details={
                    "rollover_instant": report.instant.isoformat(),
                    "members_checked_out": report.members,
                    "visitors_checked_out": report.visitors,
                    "alerts": report.alerts,
                    "pending_dds": report.pending_dds,
                    "sessions_ended": report.sessions_ended,
                },
            )
        ],
    )
