"""Lockup cycles, transfers and executions: queries and writes (domain.md §6)."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import LockupCycle, LockupExecution, LockupTransfer
from shared.domain.lockup import BuildingStatus, LockupView, TransferReason

BUILDING_LOCK = "sentinel:building"


@dataclass(frozen=True, slots=True)
class Cycle:
    """A lockup cycle row."""

    id: uuid.UUID
    operational_date: date
    status: BuildingStatus
    holder_id: uuid.UUID | None
    acquired_at: datetime | None
    opened_at: datetime | None
    opened_by: uuid.UUID | None
    secured_at: datetime | None
    secured_by: uuid.UUID | None
    is_active: bool
    closed_reason: str | None

    @property
    def view(self) -> LockupView:
        """The cycle as the rules see it."""
        return LockupView(self.status, self.holder_id)


def _cycle(row: LockupCycle) -> Cycle:
    return Cycle(
        row.id,
        row.operational_date,
        BuildingStatus(row.building_status),
        row.holder_id,
        row.acquired_at,
        row.opened_at,
        row.opened_by,
        row.secured_at,
        row.secured_by,
        row.is_active,
        row.closed_reason,
    )


async def lock_building(session: AsyncSession) -> None:
    """Serialise every writer of lockup and DDS state for this transaction.

    Taken before reading state that is then changed and published, so outbox rows of the
    retained building topics are written in commit order.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": BUILDING_LOCK})


async def find_current_cycle(session: AsyncSession) -> Cycle | None:
    """Return the active cycle, or None before the first rollover ever ran."""
    row = await session.scalar(select(LockupCycle).where(LockupCycle.is_active))
    return _cycle(row) if row else None


async def latest_cycle_on(session: AsyncSession, on: date) -> Cycle | None:
    """Return the newest cycle of operational date `on`."""
    row = await session.scalar(
        select(LockupCycle)
        .where(LockupCycle.operational_date == on)
        .order_by(LockupCycle.is_active.desc(), LockupCycle.created_at.desc())
        .limit(1)
    )
    return _cycle(row) if row else None


async def start_cycle(
    session: AsyncSession,
    *,
    on: date,
    now: datetime,
    closed_reason: str,
    holder_id: uuid.UUID | None = None,
) -> Cycle:
    """Deactivate the current cycle (recording why) and make a new secured one current."""
    await session.execute(
        update(LockupCycle)
        .where(LockupCycle.is_active)
        .values(is_active=False, closed_reason=closed_reason, updated_at=now)
    )
    new_id = uuid.uuid4()
    await session.execute(
        insert(LockupCycle).values(
            id=new_id,
            operational_date=on,
            building_status=BuildingStatus.SECURED.value,
            holder_id=holder_id,
            acquired_at=now if holder_id else None,
            is_active=True,
            created_at=now,
            updated_at=now,
        )
    )
    row = await session.get_one(LockupCycle, new_id)
    return _cycle(row)


async def update_cycle(
    session: AsyncSession, cycle_id: uuid.UUID, *, now: datetime, **values: Any
) -> None:
    """Set columns of a cycle."""
    await session.execute(
        update(LockupCycle).where(LockupCycle.id == cycle_id).values(updated_at=now, **values)
    )


async def current_holders(session: AsyncSession) -> set[uuid.UUID]:
    """Return the holder of the active cycle (empty when nobody holds lockup)."""
    holder = await session.scalar(
        select(LockupCycle.holder_id).where(
            LockupCycle.is_active, LockupCycle.holder_id.is_not(None)
        )
    )
    return {holder} if holder else set()


async def insert_transfer(
    session: AsyncSession,
    *,
    cycle_id: uuid.UUID,
    from_member_id: uuid.UUID | None,
    to_member_id: uuid.UUID,
    at: datetime,
    reason: TransferReason,
    notes: str | None,
    performed_by: uuid.UUID | None,
) -> uuid.UUID:
    """Record a lockup transfer; return its id."""
    transfer_id = uuid.uuid4()
    await session.execute(
        insert(LockupTransfer).values(
            id=transfer_id,
            cycle_id=cycle_id,
            from_member_id=from_member_id,
            to_member_id=to_member_id,
            transferred_at=at,
            reason=reason.value,
            notes=notes,
            performed_by=performed_by,
        )
    )
    return transfer_id


async def insert_execution(
    session: AsyncSession,
    *,
    execution_id: uuid.UUID,
    cycle_id: uuid.UUID,
    executed_by: uuid.UUID,
    at: datetime,
    members: list[dict[str, str]],
    visitors: list[dict[str, str]],
    notes: str | None,
) -> None:
    """Record a lockup execution."""
    await session.execute(
        insert(LockupExecution).values(
            id=execution_id,
            cycle_id=cycle_id,
            executed_by=executed_by,
            executed_at=at,
            members_checked_out=members,
            visitors_checked_out=visitors,
            total_checked_out=len(members) + len(visitors),
            notes=notes,
        )
    )


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """A transfer or an execution, for the history list."""

    kind: str
    id: uuid.UUID
    at: datetime
    operational_date: date
    from_member_id: uuid.UUID | None
    to_member_id: uuid.UUID | None
    reason: str | None
    total_checked_out: int | None
    notes: str | None


_HISTORY = """
    SELECT 'transfer' AS kind, t.id, t.transferred_at AS at, c.operational_date,
           t.from_member_id, t.to_member_id, t.reason, NULL::int AS total, t.notes
    FROM lockup_transfers t JOIN lockup_cycles c ON c.id = t.cycle_id
    WHERE c.operational_date BETWEEN :start AND :end
    UNION ALL
    SELECT 'execution', e.id, e.executed_at, c.operational_date,
           e.executed_by, NULL, NULL, e.total_checked_out, e.notes
    FROM lockup_executions e JOIN lockup_cycles c ON c.id = e.cycle_id
    WHERE c.operational_date BETWEEN :start AND :end
"""


async def history(
    session: AsyncSession, *, start: date, end: date, limit: int, offset: int
) -> tuple[list[HistoryItem], int]:
    """Return transfers and executions between two operational dates, newest first, and the total."""
    params = {"start": start, "end": end}
    total = await session.scalar(text(f"SELECT count(*) FROM ({_HISTORY}) h"), params)
    rows = await session.execute(
        text(f"SELECT * FROM ({_HISTORY}) h ORDER BY at DESC, id LIMIT :limit OFFSET :offset"),
        {**params, "limit": limit, "offset": offset},
    )
    items = [
        HistoryItem(
            r.kind,
            r.id,
            r.at,
            r.operational_date,
            r.from_member_id,
            r.to_member_id,
            r.reason,
            r.total,
            r.notes,
        )
        for r in rows
    ]
    return items, int(total or 0)


async def cycles_on(session: AsyncSession, on: date) -> list[Cycle]:
    """Return the cycles of one operational date, oldest first."""
    rows = await session.scalars(
        select(LockupCycle)
        .where(LockupCycle.operational_date == on)
        .order_by(LockupCycle.created_at, LockupCycle.id)
    )
    return [_cycle(r) for r in rows]


async def count_cycles(session: AsyncSession) -> int:
    """Return how many cycles exist (tests and diagnostics)."""
    return int(await session.scalar(select(func.count()).select_from(LockupCycle)) or 0)
