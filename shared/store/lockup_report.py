"""Read queries for the lockup and DDS summary (tables of issue 6: lockup_cycles, dds_assignments)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

LOCKUP_TABLES = ("lockup_cycles", "lockup_executions", "dds_assignments")


@dataclass(frozen=True, slots=True)
class CycleRow:
    """A lockup cycle with names resolved."""

    operational_date: date
    building_status: str
    holder: str | None
    acquired_at: datetime | None
    secured_at: datetime | None
    secured_by: str | None
    members_checked_out: int | None


@dataclass(frozen=True, slots=True)
class DdsRow:
    """The latest DDS record of an operational date."""

    operational_date: date
    member: str | None
    status: str
    accepted_at: datetime | None


async def lockup_cycles(session: AsyncSession, start_on: date, end_on: date) -> list[CycleRow]:
    """Return the cycles of operational dates in `[start_on, end_on]`, in order."""
    rows = await session.execute(
        text(
            """
            SELECT c.operational_date, c.building_status,
                   coalesce(h.display_name, o.display_name) AS holder,
                   coalesce(c.acquired_at, c.opened_at) AS acquired_at,
                   c.secured_at, s.display_name AS secured_by,
                   CASE WHEN e.id IS NULL THEN NULL
                        ELSE jsonb_array_length(e.members_checked_out) END AS checked_out
            FROM lockup_cycles c
            LEFT JOIN members h ON h.id = c.holder_id
            LEFT JOIN members o ON o.id = c.opened_by
            LEFT JOIN members s ON s.id = c.secured_by
            LEFT JOIN lockup_executions e ON e.cycle_id = c.id
            WHERE c.operational_date BETWEEN :start_on AND :end_on
            ORDER BY c.operational_date, c.created_at
            """
        ),
        {"start_on": start_on, "end_on": end_on},
    )
    return [CycleRow(*row) for row in rows]


async def dds_days(session: AsyncSession, start_on: date, end_on: date) -> list[DdsRow]:
    """Return the newest DDS record of each operational date in `[start_on, end_on]`."""
    rows = await session.execute(
        text(
            """
            SELECT DISTINCT ON (a.operational_date)
                   a.operational_date, m.display_name, a.status, a.accepted_at
            FROM dds_assignments a
            LEFT JOIN members m ON m.id = a.member_id
            WHERE a.operational_date BETWEEN :start_on AND :end_on
            ORDER BY a.operational_date, a.created_at DESC
            """
        ),
        {"start_on": start_on, "end_on": end_on},
    )
    return [DdsRow(*row) for row in rows]
