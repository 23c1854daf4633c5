"""Duty roles, weekly schedules and their assignments: reads and simple writes (§5.2)."""

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import (
    DutyPosition,
    DutyRole,
    NightOverride,
    ScheduleAssignment,
    WeeklySchedule,
)
from shared.errors import NotFound


async def roles(session: AsyncSession) -> list[DutyRole]:
    """Return the duty roles in display order."""
    return list(await session.scalars(select(DutyRole).order_by(DutyRole.display_order)))


async def get_role(session: AsyncSession, role_id: uuid.UUID) -> DutyRole:
    """Return the role or raise NotFound."""
    row = await session.get(DutyRole, role_id)
    if row is None:
        raise NotFound("duty_role_not_found", "Duty role not found")
    return row


async def role_by_code(session: AsyncSession, code: str) -> DutyRole:
    """Return the role with `code` or raise NotFound."""
    row = await session.scalar(select(DutyRole).where(DutyRole.code == code))
    if row is None:
        raise NotFound("duty_role_not_found", f"Duty role {code} not found")
    return row


async def positions_of(session: AsyncSession, role_id: uuid.UUID) -> list[DutyPosition]:
    """Return a role's positions in display order."""
    return list(
        await session.scalars(
            select(DutyPosition)
            .where(DutyPosition.duty_role_id == role_id)
            .order_by(DutyPosition.display_order, DutyPosition.code)
        )
    )


async def get_position(session: AsyncSession, position_id: uuid.UUID) -> DutyPosition:
    """Return the position or raise NotFound."""
    row = await session.get(DutyPosition, position_id)
    if row is None:
        raise NotFound("duty_position_not_found", "Duty position not found")
    return row


async def list_schedules(
    session: AsyncSession,
    *,
    role_id: uuid.UUID | None,
    status: str | None,
    start: date | None,
    end: date | None,
    limit: int,
    offset: int,
) -> tuple[list[WeeklySchedule], int]:
    """Return schedules newest week first, with the total matching."""
    stmt = select(WeeklySchedule)
    if role_id is not None:
        stmt = stmt.where(WeeklySchedule.duty_role_id == role_id)
    if status is not None:
        stmt = stmt.where(WeeklySchedule.status == status)
    if start is not None:
        stmt = stmt.where(WeeklySchedule.week_start_date >= start)
    if end is not None:
        stmt = stmt.where(WeeklySchedule.week_start_date <= end)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(
        stmt.order_by(WeeklySchedule.week_start_date.desc(), WeeklySchedule.duty_role_id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def get_schedule(
    session: AsyncSession, schedule_id: uuid.UUID, *, lock: bool = False
) -> WeeklySchedule:
    """Return the schedule or raise NotFound."""
    row = await session.get(WeeklySchedule, schedule_id, with_for_update=lock)
    if row is None:
        raise NotFound("schedule_not_found", "Schedule not found")
    return row


async def assignments(session: AsyncSession, schedule_id: uuid.UUID) -> list[ScheduleAssignment]:
    """Return all assignments of a schedule, oldest first."""
    return list(
        await session.scalars(
            select(ScheduleAssignment)
            .where(ScheduleAssignment.schedule_id == schedule_id)
            .order_by(ScheduleAssignment.created_at, ScheduleAssignment.id)
        )
    )


async def get_assignment(
    session: AsyncSession, schedule_id: uuid.UUID, assignment_id: uuid.UUID
) -> ScheduleAssignment:
    """Return the schedule's assignment or raise NotFound."""
    row = await session.get(ScheduleAssignment, assignment_id, with_for_update=True)
    if row is None or row.schedule_id != schedule_id:
        raise NotFound("assignment_not_found", "Assignment not found on this schedule")
    return row


async def overrides(session: AsyncSession, schedule_id: uuid.UUID) -> list[NightOverride]:
    """Return a schedule's night overrides by night then creation."""
    return list(
        await session.scalars(
            select(NightOverride)
            .where(NightOverride.schedule_id == schedule_id)
            .order_by(NightOverride.night_date, NightOverride.created_at)
        )
    )
