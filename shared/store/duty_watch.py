"""Duty Watch data: rules, positions, the week's team, night overrides and live coverage."""

import uuid
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import (
    DutyPosition,
    DutyRole,
    DutyWatchRule,
    LiveDutyAssignment,
    NightOverride,
    ScheduleAssignment,
    WeeklySchedule,
)
from shared.domain.duty_watch import (
    Cover,
    LiveEndReason,
    Ordinal,
    Override,
    OverrideType,
    Position,
    Recurrence,
    Rule,
    Scheduled,
)

DUTY_WATCH = "DUTY_WATCH"


def to_rule(row: DutyWatchRule) -> Rule:
    """The rule as the domain sees it."""
    return Rule(
        id=row.id,
        effective_start=row.effective_start_date,
        start=row.start_time,
        end=row.end_time,
        recurrence=Recurrence(row.recurrence),
        weekday=row.weekday,
        interval_weeks=row.interval_weeks,
        ordinal=Ordinal(row.ordinal) if row.ordinal else None,
    )


async def rule_rows(session: AsyncSession, *, active_only: bool) -> list[DutyWatchRule]:
    """Return the Duty Watch rules, oldest first."""
    stmt = select(DutyWatchRule).order_by(DutyWatchRule.created_at, DutyWatchRule.id)
    if active_only:
        stmt = stmt.where(DutyWatchRule.is_active)
    return list(await session.scalars(stmt))


async def rules(session: AsyncSession) -> list[Rule]:
    """Return the active rules as domain values."""
    return [to_rule(r) for r in await rule_rows(session, active_only=True)]


async def position_rows(session: AsyncSession, role_code: str = DUTY_WATCH) -> list[DutyPosition]:
    """Return a role's positions in display order."""
    rows = await session.scalars(
        select(DutyPosition)
        .join(DutyRole, DutyRole.id == DutyPosition.duty_role_id)
        .where(DutyRole.code == role_code)
        .order_by(DutyPosition.display_order, DutyPosition.code)
    )
    return list(rows)


async def positions(session: AsyncSession) -> list[Position]:
    """Return the Duty Watch positions as domain values."""
    return [Position(p.id, p.code, p.max_slots) for p in await position_rows(session)]


async def schedule_for(session: AsyncSession, role_code: str, week: date) -> WeeklySchedule | None:
    """Return the role's schedule of the week starting `week`."""
    return await session.scalar(
        select(WeeklySchedule)
        .join(DutyRole, DutyRole.id == WeeklySchedule.duty_role_id)
        .where(DutyRole.code == role_code, WeeklySchedule.week_start_date == week)
    )


async def scheduled(session: AsyncSession, schedule_id: uuid.UUID) -> list[Scheduled]:
    """Return the schedule's non-released assignments."""
    rows = await session.scalars(
        select(ScheduleAssignment)
        .where(
            ScheduleAssignment.schedule_id == schedule_id, ScheduleAssignment.status != "released"
        )
        .order_by(ScheduleAssignment.created_at, ScheduleAssignment.id)
    )
    return [Scheduled(r.id, r.duty_position_id, r.member_id, r.status) for r in rows]


async def overrides(session: AsyncSession, schedule_id: uuid.UUID, night: date) -> list[Override]:
    """Return the night's overrides in creation order."""
    rows = await session.scalars(
        select(NightOverride)
        .where(NightOverride.schedule_id == schedule_id, NightOverride.night_date == night)
        .order_by(NightOverride.created_at, NightOverride.id)
    )
    return [
        Override(
            r.id, r.duty_position_id, OverrideType(r.override_type), r.member_id, r.base_member_id
        )
        for r in rows
    ]


async def active_covers(session: AsyncSession) -> list[Cover]:
    """Return active live coverage, oldest first."""
    rows = await session.scalars(
        select(LiveDutyAssignment)
        .where(LiveDutyAssignment.ended_at.is_(None))
        .order_by(LiveDutyAssignment.started_at, LiveDutyAssignment.id)
    )
    return [Cover(r.id, r.duty_position_id, r.member_id, r.started_at) for r in rows]


async def start_cover(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    position_id: uuid.UUID,
    at: datetime,
    notes: str | None,
    assigned_by: uuid.UUID | None,
) -> uuid.UUID:
    """Record live coverage; return its id."""
    cover_id = uuid.uuid4()
    await session.execute(
        insert(LiveDutyAssignment).values(
            id=cover_id,
            member_id=member_id,
            duty_position_id=position_id,
            started_at=at,
            notes=notes,
            assigned_by=assigned_by,
        )
    )
    return cover_id


async def end_cover(
    session: AsyncSession, cover_id: uuid.UUID, *, at: datetime, reason: LiveEndReason
) -> bool:
    """End one active cover; False when it was not active."""
    result = await session.execute(
        update(LiveDutyAssignment)
        .where(LiveDutyAssignment.id == cover_id, LiveDutyAssignment.ended_at.is_(None))
        .values(ended_at=at, ended_reason=reason.value)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def get_cover(session: AsyncSession, cover_id: uuid.UUID) -> LiveDutyAssignment | None:
    """Return one live coverage row."""
    return await session.get(LiveDutyAssignment, cover_id)
