"""`/api/lockup`: status, acquire, open, transfer, execute, options, history (domain.md §6).

Fixes Appendix B.3: the acting member comes from the session, never from the path; an Admin
may act for another member by naming them in the body.
"""

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import ClockDep, SessionDep
from api.operations_deps import Member, PolicyDep, Reader
from api.schemas.common import errors
from api.schemas.lockup import (
    ActFor,
    CheckedOut,
    CheckoutOptions,
    ExecuteLockup,
    Execution,
    History,
    HistoryItem,
    LockupStatus,
    Person,
    Present,
    PresentMember,
    PresentVisitor,
    TransferLockup,
)
from api.services import lockup as lockup_service
from shared.contracts.building import LockupState
from shared.domain.lockup import eligible_recipients
from shared.errors import NotFound
from shared.services import building_state
from shared.store import authority, presence
from shared.store import lockup as lockup_store

router = APIRouter(prefix="/api/lockup", tags=["lockup"])


def _status(state: LockupState) -> LockupStatus:
    return LockupStatus.model_validate(
        {
            **state.model_dump(exclude={"v", "updated_at"}),
            "holder": state.holder.model_dump() if state.holder else None,
            "opened_by": state.opened_by.model_dump() if state.opened_by else None,
            "secured_by": state.secured_by.model_dump() if state.secured_by else None,
        }
    )


async def _current(session: AsyncSession, clock: ClockDep) -> LockupStatus:
    return _status(await building_state.lockup_state(session, now=clock.now()))


@router.get("/status", response_model=LockupStatus, responses=errors())
async def get_status(actor: Reader, session: SessionDep, clock: ClockDep) -> LockupStatus:
    """The current cycle: building status and holder."""
    return await _current(session, clock)


@router.get("/status/{on}", response_model=LockupStatus, responses=errors(404))
async def get_status_on(on: date, actor: Reader, session: SessionDep) -> LockupStatus:
    """The latest cycle of an operational date."""
    cycle = await lockup_store.latest_cycle_on(session, on)
    if cycle is None:
        raise NotFound("no_lockup_cycle", "No lockup cycle on that date")
    refs = await building_state.member_refs(
        session, [cycle.holder_id, cycle.opened_by, cycle.secured_by]
    )

    def person(member_id: UUID | None) -> Person | None:
        ref = refs.get(member_id) if member_id else None
        return Person(member_id=ref.member_id, display_name=ref.display_name) if ref else None

    return LockupStatus(
        operational_date=cycle.operational_date,
        building_status=cycle.status,
        holder=person(cycle.holder_id),
        since=cycle.acquired_at,
        cycle_id=cycle.id,
        opened_by=person(cycle.opened_by),
        opened_at=cycle.opened_at,
        secured_by=person(cycle.secured_by),
        secured_at=cycle.secured_at,
    )


@router.post("/acquire", response_model=LockupStatus, responses=errors(404, 409))
async def acquire(
    body: ActFor, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> LockupStatus:
    """Take lockup while nobody holds it (present, with lockup authority)."""
    await lockup_service.acquire(
        session, policy, actor, member_id=body.member_id, notes=body.notes, now=clock.now()
    )
    return await _current(session, clock)


@router.post("/open", response_model=LockupStatus, responses=errors(404, 409))
async def open_building(
    body: ActFor, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> LockupStatus:
    """Open the secured building; the opener holds lockup."""
    await lockup_service.open_building(
        session, policy, actor, member_id=body.member_id, notes=body.notes, now=clock.now()
    )
    return await _current(session, clock)


@router.post("/transfer", response_model=LockupStatus, responses=errors(404, 409))
async def transfer(
    body: TransferLockup, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> LockupStatus:
    """Hand lockup to a present member with authority (the holder or an Admin)."""
    await lockup_service.transfer(
        session,
        policy,
        actor,
        to_member_id=body.to_member_id,
        reason=body.reason,
        notes=body.notes,
        now=clock.now(),
    )
    return await _current(session, clock)


@router.post("/execute", response_model=Execution, responses=errors(404, 409))
async def execute(
    body: ExecuteLockup, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> Execution:
    """Check everyone out and secure the building (holder, lockup authority or Admin)."""
    done = await lockup_service.execute(session, policy, actor, notes=body.notes, now=clock.now())
    return Execution(
        id=done.id,
        members_checked_out=[CheckedOut(id=p.id, name=p.name) for p in done.members],
        visitors_checked_out=[CheckedOut(id=p.id, name=p.name) for p in done.visitors],
        total_checked_out=len(done.members) + len(done.visitors),
        status=await _current(session, clock),
    )


@router.get("/eligible-openers", response_model=list[Person], responses=errors())
async def eligible_openers(
    actor: Reader, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> list[Person]:
    """Present members with lockup authority (a lockup qualification or today's DDS)."""
    now = clock.now()
    present = await authority.present_candidates(session, now=now, on=policy.operational_date(now))
    return await _people(session, eligible_recipients(present, holder_id=None))


@router.get("/checkout-options/{member_id}", response_model=CheckoutOptions, responses=errors())
async def checkout_options(
    member_id: UUID, actor: Reader, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> CheckoutOptions:
    """Whether the member may check out, or how the holder can hand over first (§6.2)."""
    holds = member_id in await lockup_store.current_holders(session)
    if not holds:
        return CheckoutOptions(
            member_id=member_id,
            holds_lockup=False,
            can_checkout=True,
            block_reason=None,
            available_options=["normal_checkout"],
            eligible_recipients=[],
        )
    now = clock.now()
    present = await authority.present_candidates(session, now=now, on=policy.operational_date(now))
    recipients = await _people(session, eligible_recipients(present, holder_id=member_id))
    return CheckoutOptions(
        member_id=member_id,
        holds_lockup=True,
        can_checkout=False,
        block_reason="Transfer lockup or execute building lockup to complete checkout",
        available_options=["execute_lockup", *(["transfer_lockup"] if recipients else [])],
        eligible_recipients=recipients,
    )


@router.get("/history", response_model=History, responses=errors())
async def history(
    actor: Reader,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
    start: date | None = None,
    end: date | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> History:
    """Transfers and executions between two operational dates (default: the last 30 days)."""
    today = policy.operational_date(clock.now())
    items, total = await lockup_store.history(
        session,
        start=start or today - timedelta(days=30),
        end=end or today,
        limit=limit,
        offset=offset,
    )
    return History(
        items=[HistoryItem.model_validate(i, from_attributes=True) for i in items],
        total=total,
        has_more=offset + len(items) < total,
    )


@router.get("/present", response_model=Present, responses=errors())
async def present(
    actor: Reader, session: SessionDep, exclude_member_id: UUID | None = None
) -> Present:
    """Who is still in the building (the lockup confirmation list)."""
    members = [
        PresentMember.model_validate(m, from_attributes=True)
        for m in await presence.present_members(session)
        if m.member_id != exclude_member_id
    ]
    rows = await session.execute(
        text(
            "SELECT id, display_name, organization, check_in_at FROM visitors"
            " WHERE check_out_at IS NULL ORDER BY check_in_at DESC"
        )
    )
    visitors = [PresentVisitor.model_validate(r, from_attributes=True) for r in rows]
    return Present(members=members, visitors=visitors, total_count=len(members) + len(visitors))


async def _people(session: AsyncSession, ids: list[UUID]) -> list[Person]:
    refs = await building_state.member_refs(session, list(ids))
    return [
        Person(member_id=refs[i].member_id, display_name=refs[i].display_name)
        for i in ids
        if i in refs
    ]
