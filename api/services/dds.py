"""DDS use cases: self-accept, admin set-today/assign/transfer, release (domain.md §5.6).

Taking up DDS also aligns lockup: the lockup moves to the DDS (or is acquired) and a secured
building is opened by them. Every change is logged in the responsibility log and queues the
retained `building/dds` and `building/lockup` state.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.operations_deps import is_admin, member_id_of
from api.services import lockup as lockup_service
from api.services.audit import record_change
from shared.contracts.building import BuildingChange, BuildingEventKind
from shared.domain.dds import (
    DdsAction,
    DdsStatus,
    PlanKind,
    TakeUpPlan,
    plan_accept,
    plan_assign,
)
from shared.domain.lockup import BuildingStatus, TransferReason
from shared.errors import Forbidden, NotFound, RuleViolation
from shared.policy import OperationsPolicy
from shared.services import building_state
from shared.services.building_state import DdsSnapshot
from shared.store import authority, responsibility
from shared.store import dds as dds_store
from shared.store import lockup as lockup_store


class AssignMode(StrEnum):
    """The three admin operations (domain.md §5.6 "Admin operations")."""

    SET_TODAY = "set_today"
    ASSIGN = "assign"
    TRANSFER = "transfer"


async def _load(
    session: AsyncSession, policy: OperationsPolicy, *, now: datetime
) -> tuple[lockup_store.Cycle, DdsSnapshot]:
    on, cycle = await lockup_service.prepare(session, policy, now=now)
    return cycle, await building_state.dds_snapshot(session, on=on)


async def _require_eligible(
    session: AsyncSession, member_id: uuid.UUID, *, now: datetime, on: date
) -> None:
    """The DDS must be checked in and hold an active DDS qualification (§5.6)."""
    found = await lockup_service.candidate(session, member_id, now=now, on=on)
    if not found.is_present:
        raise RuleViolation(
            "member_not_present", "Member must be checked in to take DDS responsibility"
        )
    if "DDS" not in await authority.active_codes(session, member_id, now=now):
        raise Forbidden("not_qualified", "Member does not hold an active DDS qualification")


async def _apply(
    session: AsyncSession,
    plan: TakeUpPlan,
    snapshot: DdsSnapshot,
    member_id: uuid.UUID,
    *,
    now: datetime,
    assigned_by: uuid.UUID | None,
    notes: str | None,
) -> None:
    """Write the rows a take-up plan asks for."""
    row = snapshot.today_row
    if plan.kind is PlanKind.UNCHANGED:
        return
    if plan.kind is PlanKind.ACTIVATE and row is not None:
        await dds_store.update_row(session, row.id, status=DdsStatus.ACTIVE.value, accepted_at=now)
        return
    if plan.replaced is not None:
        await dds_store.update_row(
            session,
            plan.replaced.id,
            status=DdsStatus.TRANSFERRED.value,
            transferred_to=member_id,
            released_at=now,
        )
    await dds_store.insert_row(
        session,
        member_id=member_id,
        on=snapshot.on,
        status=DdsStatus.ACTIVE,
        now=now,
        assigned_by=assigned_by,
        notes=notes,
    )


async def _align_lockup(
    session: AsyncSession,
    actor: Actor,
    cycle: lockup_store.Cycle,
    member_id: uuid.UUID,
    *,
    on: date,
    now: datetime,
) -> None:
    """Lockup follows the DDS; a secured building is opened by them (domain.md §0.2 rule 6)."""
    if cycle.status is BuildingStatus.SECURED:
        await lockup_service.open_as(session, actor, cycle, member_id, on=on, now=now, notes=None)
    elif cycle.holder_id is None:
        await lockup_store.update_cycle(
            session, cycle.id, now=now, holder_id=member_id, acquired_at=now
        )
        await building_state.publish_state(session, on=on, now=now, dds=False)
    elif cycle.holder_id != member_id:
        await lockup_service.transfer_as(
            session,
            actor,
            cycle,
            member_id,
            on=on,
            now=now,
            reason=TransferReason.DDS_HANDOFF,
            notes="Lockup follows the DDS",
        )


async def _finish(
    session: AsyncSession,
    actor: Actor,
    cycle: lockup_store.Cycle,
    snapshot: DdsSnapshot,
    plan: TakeUpPlan,
    member_id: uuid.UUID,
    *,
    action: DdsAction,
    now: datetime,
    notes: str | None,
) -> None:
    """Log, align lockup and publish after a take-up."""
    on = snapshot.on
    if plan.kind is not PlanKind.UNCHANGED:
        if plan.is_transfer:
            action = DdsAction.TRANSFERRED
        await responsibility.record(
            session,
            [
                responsibility.Entry(
                    "DDS",
                    action.value,
                    on,
                    now,
                    member_id,
                    from_member_id=plan.from_member_id,
                    to_member_id=member_id if plan.from_member_id else None,
                    performed_by=actor.member_id,
                    performed_by_type="admin"
                    if action is not DdsAction.SELF_ACCEPTED
                    else "member",
                    notes=notes,
                )
            ],
        )
        await record_change(
            session,
            actor,
            "dds_accept" if action is DdsAction.SELF_ACCEPTED else f"dds_{action.value}",
            "dds_assignment",
            member_id,
            member_id=member_id,
            from_member_id=plan.from_member_id,
            operational_date=on,
        )
    await _align_lockup(session, actor, cycle, member_id, on=on, now=now)
    kind = {
        DdsAction.SELF_ACCEPTED: BuildingEventKind.DDS_ACCEPTED,
        DdsAction.ASSIGNED: BuildingEventKind.DDS_ASSIGNED,
        DdsAction.TRANSFERRED: BuildingEventKind.DDS_TRANSFERRED,
    }.get(action, BuildingEventKind.DDS_ASSIGNED)
    refs = await building_state.member_refs(session, [member_id, plan.from_member_id])
    event = BuildingChange(
        kind=kind,
        at=now,
        operational_date=on,
        member=refs.get(member_id),
        from_member=refs.get(plan.from_member_id) if plan.from_member_id else None,
        to_member=refs.get(member_id) if plan.from_member_id else None,
        performed_by=actor.member_id,
        notes=notes,
    )
    await building_state.publish_event(session, kind.value, event)
    await building_state.publish_state(session, on=on, now=now)


async def accept(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    *,
    notes: str | None,
    now: datetime,
) -> None:
    """The signed-in member accepts DDS for today (domain.md §5.6 "Self-accept")."""
    member_id = member_id_of(actor)
    cycle, snapshot = await _load(session, policy, now=now)
    await _require_eligible(session, member_id, now=now, on=snapshot.on)
    plan = plan_accept(
        member_id,
        today_row=snapshot.today_row,
        handover_pending=snapshot.handover_pending,
        outgoing=snapshot.outgoing,
    )
    await _apply(session, plan, snapshot, member_id, now=now, assigned_by=None, notes=notes)
    await _finish(
        session,
        actor,
        cycle,
        snapshot,
        plan,
        member_id,
        action=DdsAction.SELF_ACCEPTED,
        now=now,
        notes=notes,
    )


async def assign(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    *,
    member_id: uuid.UUID,
    mode: AssignMode,
    notes: str | None,
    now: datetime,
) -> None:
    """Set today's DDS as an Admin, or transfer it as the current DDS (domain.md §5.6)."""
    cycle, snapshot = await _load(session, policy, now=now)
    current = snapshot.current
    if mode is AssignMode.ASSIGN and snapshot.today_row is not None:
        raise RuleViolation("dds_already_assigned", "A DDS is already assigned for today")
    if mode is AssignMode.TRANSFER:
        if current.member_id is None:
            raise NotFound("no_current_dds", "There is no current DDS to transfer from")
        if current.member_id == member_id:
            raise RuleViolation("same_member", "The member is already the DDS")
        if not is_admin(actor) and actor.member_id != current.member_id:
            raise Forbidden("forbidden", "Only an Admin or the current DDS may transfer DDS")
    elif not is_admin(actor):
        raise Forbidden("forbidden", "Only an Admin may assign the DDS")
    await _require_eligible(session, member_id, now=now, on=snapshot.on)
    plan = plan_assign(
        member_id,
        today_row=snapshot.today_row,
        handover_pending=snapshot.handover_pending,
        outgoing=snapshot.outgoing,
    )
    if mode is AssignMode.TRANSFER and plan.from_member_id is None:
        # Transfer from a scheduled (not yet persisted) DDS still names the giver.
        plan = TakeUpPlan(plan.kind, plan.replaced, current.member_id)
    await _apply(
        session, plan, snapshot, member_id, now=now, assigned_by=actor.member_id, notes=notes
    )
    await _finish(
        session,
        actor,
        cycle,
        snapshot,
        plan,
        member_id,
        action=DdsAction.ASSIGNED,
        now=now,
        notes=notes,
    )


async def release(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    *,
    notes: str | None,
    now: datetime,
) -> None:
    """Release today's live DDS (domain.md §5.6 "release"); Admin or the DDS themselves."""
    _, snapshot = await _load(session, policy, now=now)
    row = snapshot.today_row
    if row is None:
        raise NotFound("no_dds_assignment", "No DDS has been assigned or accepted today")
    if not is_admin(actor) and actor.member_id != row.member_id:
        raise Forbidden("forbidden", "Only an Admin or the DDS may release DDS")
    await dds_store.update_row(
        session, row.id, status=DdsStatus.RELEASED.value, released_at=now, notes=notes
    )
    await responsibility.record(
        session,
        [
            responsibility.Entry(
                "DDS",
                DdsAction.RELEASED.value,
                snapshot.on,
                now,
                row.member_id,
                performed_by=actor.member_id,
                performed_by_type="member" if actor.member_id == row.member_id else "admin",
                notes=notes,
            )
        ],
    )
    await record_change(session, actor, "dds_release", "dds_assignment", row.id)
    refs = await building_state.member_refs(session, [row.member_id])
    event = BuildingChange(
        kind=BuildingEventKind.DDS_RELEASED,
        at=now,
        operational_date=snapshot.on,
        member=refs.get(row.member_id),
        performed_by=actor.member_id,
        notes=notes,
    )
    await building_state.publish_event(session, event.kind.value, event)
    await building_state.publish_state(session, on=snapshot.on, now=now, lockup=False)
