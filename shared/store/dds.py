"""Live DDS assignments, the scheduled DDS of a week and stat holidays (domain.md §5.6)."""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import DdsAssignment
from shared.domain.dds import DdsStatus, LiveRow, Scheduled

_LIVE = (DdsStatus.PENDING.value, DdsStatus.ACTIVE.value)


async def today_row(session: AsyncSession, on: date) -> LiveRow | None:
    """Return the newest pending/active row of operational date `on`."""
    row = await session.scalar(
        select(DdsAssignment)
        .where(DdsAssignment.operational_date == on, DdsAssignment.status.in_(_LIVE))
        .order_by(DdsAssignment.created_at.desc(), DdsAssignment.accepted_at.desc().nulls_last())
        .limit(1)
    )
    return LiveRow(row.id, row.member_id, DdsStatus(row.status)) if row else None


async def scheduled_dds(session: AsyncSession, week: date) -> Scheduled | None:
    """Return the first non-released assignment of the week's DDS schedule (§5.2)."""
    row = (
        await session.execute(
            text(
                "SELECT a.member_id, a.status FROM schedule_assignments a"
                " JOIN weekly_schedules w ON w.id = a.schedule_id"
                " JOIN duty_roles r ON r.id = w.duty_role_id"
                " WHERE r.code = 'DDS' AND w.week_start_date = :week AND a.status <> 'released'"
                " ORDER BY a.created_at, a.id LIMIT 1"
            ),
            {"week": week},
        )
    ).first()
    return Scheduled(row.member_id, row.status == "confirmed") if row else None


async def assigned_to_other(
    session: AsyncSession, *, start: date, end: date, outgoing: uuid.UUID
) -> bool:
    """True when a live-DDS row exists in [start, end) for a member other than `outgoing`."""
    found = await session.scalar(
        select(DdsAssignment.id)
        .where(
            DdsAssignment.operational_date >= start,
            DdsAssignment.operational_date < end,
            DdsAssignment.member_id != outgoing,
        )
        .limit(1)
    )
    return found is not None


async def holidays(session: AsyncSession, *, start: date, end: date) -> set[date]:
    """Return active stat holidays in [start, end]; none while the reports schema is absent."""
    # `stat_holidays` belongs to the reports feature (revision 0005); the DDS handover only
    # needs it when it exists.
    exists = await session.scalar(text("SELECT to_regclass('stat_holidays') IS NOT NULL"))
    if not exists:
        return set()
    rows = await session.scalars(
        text(
            "SELECT holiday_on FROM stat_holidays"
            " WHERE is_active AND holiday_on BETWEEN :start AND :end"
        ),
        {"start": start, "end": end},
    )
    return set(rows)


async def insert_row(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    on: date,
    status: DdsStatus,
    now: datetime,
    assigned_by: uuid.UUID | None = None,
    notes: str | None = None,
) -> uuid.UUID:
    """Create a live-DDS row; return its id."""
    row_id = uuid.uuid4()
    await session.execute(
        insert(DdsAssignment).values(
            id=row_id,
            member_id=member_id,
            operational_date=on,
            status=status.value,
            accepted_at=now if status is DdsStatus.ACTIVE else None,
            assigned_by=assigned_by,
            notes=notes,
            created_at=now,
        )
    )
    return row_id


async def update_row(session: AsyncSession, row_id: uuid.UUID, **values: Any) -> None:
    """Set columns of a live-DDS row."""
    await session.execute(update(DdsAssignment).where(DdsAssignment.id == row_id).values(**values))


async def get_row(session: AsyncSession, row_id: uuid.UUID) -> DdsAssignment | None:
    """Return a live-DDS row."""
    return await session.get(DdsAssignment, row_id)


def week_end(week: date) -> date:
    """The Monday after `week` (exclusive end)."""
    return week + timedelta(days=7)
