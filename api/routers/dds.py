"""`/api/dds`: current DDS, accept, set-today/assign/transfer/release, audit, kiosk state.

Fixes Appendix B.12: assign and set-today need Admin; transfer needs Admin or the current DDS;
release needs Admin or the DDS; accept acts for the signed-in member only.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import ClockDep, SessionDep
from api.operations_deps import Admin, Member, PolicyDep, Reader
from api.schemas.common import errors
from api.schemas.dds import (
    AssignDds,
    AuditEntry,
    CurrentDds,
    Handover,
    KioskState,
    Notes,
    TransferDds,
)
from api.schemas.lockup import Person
from api.services import dds as dds_service
from api.services import lockup as lockup_service
from shared.contracts.building import MemberRef
from shared.domain.lockup import BuildingStatus
from shared.domain.responsibility import Situation, prompt_for
from shared.services import building_state
from shared.store import authority, responsibility
from shared.store import lockup as lockup_store

router = APIRouter(prefix="/api/dds", tags=["dds"])


def _person(ref: MemberRef | None) -> Person | None:
    return Person(member_id=ref.member_id, display_name=ref.display_name) if ref else None


async def _current(session: AsyncSession, policy: PolicyDep, clock: ClockDep) -> CurrentDds:
    now = clock.now()
    snapshot = await building_state.dds_snapshot(session, on=policy.operational_date(now))
    state = await building_state.dds_state(session, snapshot, now=now)
    present = await authority.present_ids(session)
    return CurrentDds(
        operational_date=state.operational_date,
        status=state.status,
        source=state.source,
        dds=_person(state.dds),
        assignment_id=state.assignment_id,
        accepted_at=state.accepted_at,
        is_dds_on_site=state.dds is not None and state.dds.member_id in present,
        scheduled=_person(state.scheduled),
        next_week=_person(state.next_week),
        handover=Handover(
            pending=state.handover.pending,
            first_operational_day=state.handover.first_operational_day,
            outgoing=_person(state.handover.outgoing),
            incoming=_person(state.handover.incoming),
        ),
    )


@router.get("/current", response_model=CurrentDds, responses=errors())
async def current(
    actor: Reader, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> CurrentDds:
    """Today's DDS (live, handover or scheduled), next week's, and the handover state."""
    return await _current(session, policy, clock)


@router.post("/accept", response_model=CurrentDds, responses=errors(404, 409))
async def accept(
    body: Notes, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> CurrentDds:
    """Accept DDS for today as the signed-in member (checked in, DDS-qualified)."""
    await dds_service.accept(session, policy, actor, notes=body.notes, now=clock.now())
    return await _current(session, policy, clock)


async def _assign(
    mode: dds_service.AssignMode,
    member_id: UUID,
    notes: str | None,
    actor: Member,
    session: AsyncSession,
    clock: ClockDep,
    policy: PolicyDep,
) -> CurrentDds:
    await dds_service.assign(
        session, policy, actor, member_id=member_id, mode=mode, notes=notes, now=clock.now()
    )
    return await _current(session, policy, clock)


@router.post("/set-today", response_model=CurrentDds, responses=errors(404, 409))
async def set_today(
    body: AssignDds, actor: Admin, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> CurrentDds:
    """Make a present, DDS-qualified member today's DDS (Admin)."""
    mode = dds_service.AssignMode.SET_TODAY
    return await _assign(mode, body.member_id, body.notes, actor, session, clock, policy)


@router.post("/assign", response_model=CurrentDds, responses=errors(404, 409))
async def assign(
    body: AssignDds, actor: Admin, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> CurrentDds:
    """Assign today's DDS when nobody is assigned yet (Admin)."""
    mode = dds_service.AssignMode.ASSIGN
    return await _assign(mode, body.member_id, body.notes, actor, session, clock, policy)


@router.post("/transfer", response_model=CurrentDds, responses=errors(404, 409))
async def transfer(
    body: TransferDds, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> CurrentDds:
    """Transfer DDS to another member (Admin or the current DDS); completes a handover."""
    mode = dds_service.AssignMode.TRANSFER
    return await _assign(mode, body.to_member_id, body.notes, actor, session, clock, policy)


@router.post("/release", response_model=CurrentDds, responses=errors(404))
async def release(
    body: Notes, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> CurrentDds:
    """Release today's DDS (Admin or the DDS)."""
    await dds_service.release(session, policy, actor, notes=body.notes, now=clock.now())
    return await _current(session, policy, clock)


@router.get("/audit-log", response_model=list[AuditEntry], responses=errors())
async def audit_log(
    actor: Reader,
    session: SessionDep,
    member_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[AuditEntry]:
    """DDS responsibility changes, newest first (optionally about one member)."""
    rows = await responsibility.entries(session, tag="DDS", member_id=member_id, limit=limit)
    return [AuditEntry.model_validate(r, from_attributes=True) for r in rows]


@router.get("/kiosk-state/{member_id}", response_model=KioskState, responses=errors(404))
async def kiosk_state(
    member_id: UUID, actor: Reader, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> KioskState:
    """The responsibility prompt a kiosk shows the member after a check-in."""
    now = clock.now()
    on = policy.operational_date(now)
    facts = await lockup_service.candidate(session, member_id, now=now, on=on)
    cycle = await lockup_store.find_current_cycle(session)
    snapshot = await building_state.dds_snapshot(session, on=on)
    present = await authority.present_ids(session)
    prompt = prompt_for(
        Situation(
            member=facts,
            has_dds_qualification="DDS"
            in await authority.active_codes(session, member_id, now=now),
            building=cycle.status if cycle else BuildingStatus.SECURED,
            holder_id=cycle.holder_id if cycle else None,
            dds=snapshot.current,
            present_count=len(present),
        )
    )
    refs = await building_state.member_refs(
        session, [prompt.expected_dds_id, cycle.holder_id if cycle else None]
    )
    visitors = await session.scalar(
        text("SELECT count(*) FROM visitors WHERE check_out_at IS NULL")
    )
    return KioskState(
        member_id=member_id,
        needs_dds=prompt.needs_dds,
        needs_building_open=prompt.needs_building_open,
        should_prompt=prompt.should_prompt,
        is_first_member_checkin=prompt.is_first_member,
        can_accept_dds=prompt.can_accept_dds,
        can_open_building=prompt.can_open_building,
        expected_dds=_person(refs.get(prompt.expected_dds_id) if prompt.expected_dds_id else None),
        matches_scanned_member=prompt.expected_dds_id == member_id,
        prompt_variant=prompt.variant,
        current_lockup_holder=_person(
            refs.get(cycle.holder_id) if cycle and cycle.holder_id else None
        ),
        present_members=len(present),
        present_visitor_count=int(visitors or 0),
    )
