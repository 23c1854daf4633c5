"""Lockup use cases: acquire, open the building, transfer, execute (domain.md §6.2, §6.5).

Each use case makes sure today's rollover ran, takes the building lock, loads the current
cycle, applies the rule, writes, logs the responsibility change, and queues the retained
`building/lockup` state plus a building event, all in the request's transaction.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.operations_deps import is_admin, member_id_of
from api.services.audit import record_change
from shared.contracts.building import BuildingChange, BuildingEventKind
from shared.domain.checkin import Method
from shared.domain.duty_watch import LiveEndReason
from shared.domain.lockup import (
    BuildingStatus,
    Candidate,
    LockupAction,
    TransferReason,
    check_acquire,
    check_execute,
    check_open,
    check_transfer,
)
from shared.errors import Forbidden, NotFound
from shared.policy import OperationsPolicy
from shared.services import building_state, forced_checkout
from shared.services.rollover import ensure_rolled_over
from shared.store import authority, responsibility
from shared.store import lockup as lockup_store

SELF_CHECKOUT = "lockup-self-checkout"
FORCE_CHECKOUT = "lockup-force-checkout"


async def prepare(
    session: AsyncSession, policy: OperationsPolicy, *, now: datetime
) -> tuple[date, lockup_store.Cycle]:
    """Roll over if needed, lock the building state and return today and the current cycle."""
    await ensure_rolled_over(session, policy, now=now, wait=True)
    await lockup_store.lock_building(session)
    on = policy.operational_date(now)
    cycle = await lockup_store.find_current_cycle(session)
    if cycle is None:  # only before the very first rollover of a fresh database
        cycle = await lockup_store.start_cycle(session, on=on, now=now, closed_reason="initial")
    return on, cycle


async def candidate(
    session: AsyncSession, member_id: uuid.UUID, *, now: datetime, on: date
) -> Candidate:
    """Load one member's authority facts or raise NotFound."""
    found = await authority.candidates(session, [member_id], now=now, on=on)
    if member_id not in found:
        raise NotFound("member_not_found", "Member not found")
    return found[member_id]


def target_of(actor: Actor, member_id: uuid.UUID | None) -> uuid.UUID:
    """The member acted for: the actor, or another member when an Admin says so."""
    own = member_id_of(actor)
    if member_id is None or member_id == own:
        return own
    if not is_admin(actor):
        raise Forbidden("forbidden", "Only an Admin may act for another member")
    return member_id


async def _fresh_cycle_if_closed(
    session: AsyncSession, cycle: lockup_store.Cycle, *, on: date, now: datetime
) -> lockup_store.Cycle:
    """A cycle an execution secured is finished: reopening the same day starts a new one."""
    if cycle.secured_at is None and cycle.operational_date == on:
        return cycle
    return await lockup_store.start_cycle(session, on=on, now=now, closed_reason="executed")


async def _after(
    session: AsyncSession,
    actor: Actor,
    *,
    on: date,
    now: datetime,
    kind: BuildingEventKind,
    action: LockupAction,
    member_id: uuid.UUID | None,
    from_member_id: uuid.UUID | None = None,
    reason: str | None = None,
    notes: str | None = None,
    counts: tuple[int, int] | None = None,
) -> None:
    performer_type = "admin" if is_admin(actor) and actor.member_id != member_id else "member"
    await responsibility.record(
        session,
        [
            responsibility.Entry(
                "Lockup",
                action.value,
                on,
                now,
                member_id,
                from_member_id=from_member_id,
                to_member_id=member_id if from_member_id else None,
                performed_by=actor.member_id,
                performed_by_type=performer_type,
                notes=notes,
            )
        ],
    )
    refs = await building_state.member_refs(session, [member_id, from_member_id])
    event = BuildingChange(
        kind=kind,
        at=now,
        operational_date=on,
        member=refs.get(member_id) if member_id else None,
        from_member=refs.get(from_member_id) if from_member_id else None,
        to_member=refs.get(member_id) if from_member_id and member_id else None,
        performed_by=actor.member_id,
        reason=reason,
        members_checked_out=counts[0] if counts else None,
        visitors_checked_out=counts[1] if counts else None,
        notes=notes,
    )
    await building_state.publish_event(session, kind.value, event)
    await building_state.publish_state(session, on=on, now=now, dds=False)


async def acquire(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    *,
    member_id: uuid.UUID | None,
    notes: str | None,
    now: datetime,
) -> None:
    """Take lockup while nobody holds it (domain.md §6.2 "Acquire")."""
    target = target_of(actor, member_id)
    on, cycle = await prepare(session, policy, now=now)
    check_acquire(cycle.view, await candidate(session, target, now=now, on=on))
    cycle = await _fresh_cycle_if_closed(session, cycle, on=on, now=now)
    await lockup_store.update_cycle(session, cycle.id, now=now, holder_id=target, acquired_at=now)
    await record_change(
        session, actor, "lockup_acquire", "lockup_cycle", cycle.id, member_id=target
    )
    await _after(
        session,
        actor,
        on=on,
        now=now,
        kind=BuildingEventKind.LOCKUP_ACQUIRED,
        action=LockupAction.ACQUIRED,
        member_id=target,
        notes=notes,
    )


async def open_building(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    *,
    member_id: uuid.UUID | None,
    notes: str | None,
    now: datetime,
) -> None:
    """Open the secured building; the opener becomes the holder (domain.md §6.2 "Open")."""
    target = target_of(actor, member_id)
    on, cycle = await prepare(session, policy, now=now)
    check_open(cycle.view, await candidate(session, target, now=now, on=on))
    await open_as(session, actor, cycle, target, on=on, now=now, notes=notes)


async def open_as(
    session: AsyncSession,
    actor: Actor,
    cycle: lockup_store.Cycle,
    target: uuid.UUID,
    *,
    on: date,
    now: datetime,
    notes: str | None,
) -> None:
    """Open `cycle` (or a fresh one if it was executed) with `target` as holder; no checks."""
    previous = cycle.holder_id
    cycle = await _fresh_cycle_if_closed(session, cycle, on=on, now=now)
    await lockup_store.update_cycle(
        session,
        cycle.id,
        now=now,
        building_status=BuildingStatus.OPEN.value,
        holder_id=target,
        acquired_at=now,
        opened_at=now,
        opened_by=target,
        secured_at=None,
        secured_by=None,
    )
    if previous is not None and previous != target:
        await lockup_store.insert_transfer(
            session,
            cycle_id=cycle.id,
            from_member_id=previous,
            to_member_id=target,
            at=now,
            reason=TransferReason.MANUAL,
            notes="Building opened by another member",
            performed_by=actor.member_id,
        )
    await record_change(session, actor, "lockup_open", "lockup_cycle", cycle.id, member_id=target)
    await _after(
        session,
        actor,
        on=on,
        now=now,
        kind=BuildingEventKind.BUILDING_OPENED,
        action=LockupAction.BUILDING_OPENED,
        member_id=target,
        notes=notes,
    )


async def transfer(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    *,
    to_member_id: uuid.UUID,
    reason: TransferReason,
    notes: str | None,
    now: datetime,
) -> None:
    """Hand lockup to a present member with authority; only the holder or an Admin may."""
    on, cycle = await prepare(session, policy, now=now)
    if actor.member_id != cycle.holder_id and not is_admin(actor) and cycle.holder_id:
        raise Forbidden("not_holder", "Only the lockup holder or an Admin may transfer lockup")
    check_transfer(cycle.view, await candidate(session, to_member_id, now=now, on=on))
    await transfer_as(
        session, actor, cycle, to_member_id, on=on, now=now, reason=reason, notes=notes
    )


async def transfer_as(
    session: AsyncSession,
    actor: Actor,
    cycle: lockup_store.Cycle,
    to_member_id: uuid.UUID,
    *,
    on: date,
    now: datetime,
    reason: TransferReason,
    notes: str | None,
) -> None:
    """Move the holder of `cycle` to `to_member_id` and record it; no checks."""
    await lockup_store.insert_transfer(
        session,
        cycle_id=cycle.id,
        from_member_id=cycle.holder_id,
        to_member_id=to_member_id,
        at=now,
        reason=reason,
        notes=notes,
        performed_by=actor.member_id,
    )
    await lockup_store.update_cycle(
        session, cycle.id, now=now, holder_id=to_member_id, acquired_at=now
    )
    await record_change(
        session,
        actor,
        "lockup_transfer",
        "lockup_cycle",
        cycle.id,
        from_member_id=cycle.holder_id,
        to_member_id=to_member_id,
        reason=reason.value,
    )
    await _after(
        session,
        actor,
        on=on,
        now=now,
        kind=BuildingEventKind.LOCKUP_TRANSFERRED,
        action=LockupAction.TRANSFERRED,
        member_id=to_member_id,
        from_member_id=cycle.holder_id,
        reason=reason.value,
        notes=notes,
    )


@dataclass(frozen=True, slots=True)
class Execution:
    """What a lockup execution did."""

    id: uuid.UUID
    members: list[forced_checkout.Person]
    visitors: list[forced_checkout.Person]


async def execute(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    *,
    notes: str | None,
    now: datetime,
) -> Execution:
    """Check everyone out and secure the building, in one transaction (domain.md §6.5)."""
    performer = member_id_of(actor)
    on, cycle = await prepare(session, policy, now=now)
    check_execute(
        cycle.view, await candidate(session, performer, now=now, on=on), is_admin=is_admin(actor)
    )
    execution_id = uuid.uuid4()
    visitors = await forced_checkout.check_out_visitors(session, at=now, only_before=False)
    base = forced_checkout.Checkout(
        at=now,
        now=now,
        on=on,
        source=SELF_CHECKOUT,
        method=Method.LOCKUP,
        live_end_reason=LiveEndReason.LOCKUP_EXECUTION,
        lockup_execution_id=execution_id,
        correlation_id=f"lockup-execution:{execution_id}",
    )
    members = await forced_checkout.check_out_members(session, [performer], base)
    others = sorted(await authority.present_ids(session))
    members += await forced_checkout.check_out_members(
        session,
        others,
        replace(
            base,
            source=FORCE_CHECKOUT,
            resolved_by="lockup_sequence",
            notes="Checked out by lockup execution",
        ),
    )
    if visitors:
        await forced_checkout.queue_presence(session, now=now)
    summary = f"Lockup executed. Checked out {len(members)} members and {len(visitors)} visitors."
    await lockup_store.insert_execution(
        session,
        execution_id=execution_id,
        cycle_id=cycle.id,
        executed_by=performer,
        at=now,
        members=[{"id": str(p.id), "name": p.name} for p in members],
        visitors=[{"id": str(p.id), "name": p.name} for p in visitors],
        notes=notes,
    )
    await lockup_store.update_cycle(
        session,
        cycle.id,
        now=now,
        building_status=BuildingStatus.SECURED.value,
        secured_at=now,
        secured_by=performer,
        holder_id=None,
        acquired_at=None,
    )
    await record_change(
        session,
        actor,
        "lockup_execute",
        "lockup_cycle",
        cycle.id,
        members_checked_out=len(members),
        visitors_checked_out=len(visitors),
    )
    await _after(
        session,
        actor,
        on=on,
        now=now,
        kind=BuildingEventKind.LOCKUP_EXECUTED,
        action=LockupAction.BUILDING_LOCKUP,
        member_id=performer,
        notes=notes or summary,
        counts=(len(members), len(visitors)),
    )
    return Execution(execution_id, members, visitors)
