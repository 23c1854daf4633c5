"""Building state: who the DDS is, the lockup cycle, and their retained MQTT topics.

Every path that changes lockup or DDS calls `publish_state` in the same transaction (after
`lockup_store.lock_building`), so `building/lockup` and `building/dds` always end on the
database's state; events go to `building/events/{kind}` through the outbox too.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import topics
from shared.contracts.base import Outbound
from shared.contracts.building import DdsHandover, DdsState, LockupState, MemberRef
from shared.domain.dds import (
    CurrentDds,
    LiveRow,
    first_operational_day,
    is_handover_pending,
    resolve_current,
)
from shared.domain.lockup import BuildingStatus
from shared.domain.opday import week_start
from shared.store import authority, outbox
from shared.store import dds as dds_store
from shared.store import lockup as lockup_store
from shared.store.outbox import Outgoing


@dataclass(frozen=True, slots=True)
class DdsSnapshot:
    """Everything known about the DDS of one operational date."""

    on: date
    current: CurrentDds
    today_row: LiveRow | None
    handover_pending: bool
    first_day: date
    outgoing: uuid.UUID | None
    incoming: uuid.UUID | None
    next_week: uuid.UUID | None


async def dds_snapshot(session: AsyncSession, *, on: date) -> DdsSnapshot:
    """Load and resolve the DDS of operational date `on` (domain.md §5.6)."""
    week = week_start(on)
    holidays = await dds_store.holidays(session, start=week, end=week + timedelta(days=4))
    first_day = first_operational_day(week, holidays)
    outgoing = await dds_store.scheduled_dds(session, week - timedelta(days=7))
    incoming = await dds_store.scheduled_dds(session, week)
    following = await dds_store.scheduled_dds(session, week + timedelta(days=7))
    other = False
    if outgoing is not None:
        other = await dds_store.assigned_to_other(
            session, start=first_day, end=dds_store.week_end(week), outgoing=outgoing.member_id
        )
    pending = is_handover_pending(
        on=on,
        first_day=first_day,
        outgoing=outgoing.member_id if outgoing else None,
        incoming=incoming.member_id if incoming else None,
        assigned_to_other_since_first_day=other,
    )
    row = await dds_store.today_row(session, on)
    current = resolve_current(
        today_row=row,
        handover_pending=pending,
        outgoing=outgoing.member_id if outgoing else None,
        scheduled=incoming,
    )
    return DdsSnapshot(
        on,
        current,
        row,
        pending,
        first_day,
        outgoing.member_id if outgoing else None,
        incoming.member_id if incoming else None,
        following.member_id if following else None,
    )


def _ref(member_id: uuid.UUID | None, names: dict[uuid.UUID, str]) -> MemberRef | None:
    if member_id is None:
        return None
    return MemberRef(member_id=member_id, display_name=names.get(member_id, ""))


async def lockup_state(session: AsyncSession, *, now: datetime) -> LockupState:
    """The `building/lockup` payload for the current cycle."""
    cycle = await lockup_store.find_current_cycle(session)
    if cycle is None:
        return LockupState(
            operational_date=None,
            building_status=BuildingStatus.SECURED,
            holder=None,
            since=None,
            cycle_id=None,
            updated_at=now,
        )
    names = await authority.labels(
        session, [m for m in (cycle.holder_id, cycle.opened_by, cycle.secured_by) if m]
    )
    since = cycle.acquired_at if cycle.holder_id else (cycle.secured_at or cycle.opened_at)
    return LockupState(
        operational_date=cycle.operational_date,
        building_status=cycle.status,
        holder=_ref(cycle.holder_id, names),
        since=since,
        cycle_id=cycle.id,
        opened_by=_ref(cycle.opened_by, names),
        opened_at=cycle.opened_at,
        secured_by=_ref(cycle.secured_by, names),
        secured_at=cycle.secured_at,
        updated_at=now,
    )


async def dds_state(session: AsyncSession, snapshot: DdsSnapshot, *, now: datetime) -> DdsState:
    """The `building/dds` payload for a snapshot."""
    current = snapshot.current
    ids = [current.member_id, snapshot.outgoing, snapshot.incoming, snapshot.next_week]
    names = await authority.labels(session, [m for m in ids if m])
    accepted_at = None
    if current.assignment_id is not None:
        row = await dds_store.get_row(session, current.assignment_id)
        accepted_at = row.accepted_at if row else None
    return DdsState(
        operational_date=snapshot.on,
        status=current.status,
        source=current.source,
        dds=_ref(current.member_id, names),
        assignment_id=current.assignment_id,
        accepted_at=accepted_at,
        scheduled=_ref(snapshot.incoming, names),
        next_week=_ref(snapshot.next_week, names),
        handover=DdsHandover(
            pending=snapshot.handover_pending,
            first_operational_day=snapshot.first_day,
            outgoing=_ref(snapshot.outgoing, names),
            incoming=_ref(snapshot.incoming, names),
        ),
        updated_at=now,
    )


async def publish_state(
    session: AsyncSession,
    *,
    on: date,
    now: datetime,
    lockup: bool = True,
    dds: bool = True,
    correlation_id: str | None = None,
) -> None:
    """Queue the retained `building/lockup` and/or `building/dds` messages from the database."""
    messages: list[Outgoing] = []
    if lockup:
        state = await lockup_state(session, now=now)
        messages.append(Outgoing(topics.BUILDING_LOCKUP, state.to_bytes(), 1, True, correlation_id))
    if dds:
        snapshot = await dds_snapshot(session, on=on)
        payload = await dds_state(session, snapshot, now=now)
        messages.append(Outgoing(topics.BUILDING_DDS, payload.to_bytes(), 1, True, correlation_id))
    await outbox.enqueue(session, messages)


async def publish_event(
    session: AsyncSession, kind: str, event: Outbound, *, correlation_id: str | None = None
) -> None:
    """Queue one non-retained `building/events/{kind}` message."""
    await outbox.enqueue(
        session,
        [Outgoing(topics.building_event(kind), event.to_bytes(), 1, False, correlation_id)],
    )


async def member_refs(
    session: AsyncSession, member_ids: list[uuid.UUID | None]
) -> dict[uuid.UUID, MemberRef]:
    """Return id → reference for the given members (Nones skipped)."""
    names = await authority.labels(session, [m for m in member_ids if m])
    return {m: MemberRef(member_id=m, display_name=n) for m, n in names.items()}


async def is_current_dds(session: AsyncSession, member_id: uuid.UUID | None) -> bool:
    """True when `member_id` is the current DDS of the current cycle's operational date.

    For callers without the operations policy: once the rollover ran, the active lockup
    cycle's date is today's operational date.
    """
    cycle = await lockup_store.find_current_cycle(session)
    if member_id is None or cycle is None:
        return False
    snapshot = await dds_snapshot(session, on=cycle.operational_date)
    return snapshot.current.member_id == member_id
