"""`/api/duty-roles` and `/api/schedules`: roles, weekly schedules, assignments, overrides.

Reads admit any member (and `building:read` keys); schedule writes need Admin; Duty Watch night
overrides need Admin or the current DDS, for delete too (Appendix B.12).
"""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import ClockDep, SessionDep
from api.operations_deps import Admin, Member, PolicyDep, Reader, require_admin_or_dds
from api.schemas.common import errors
from api.schemas.schedules import (
    AddAssignment,
    AssignmentOut,
    CreateOverride,
    CreateSchedule,
    OverrideOut,
    PositionOut,
    RoleOut,
    ScheduleOut,
    SchedulePage,
    UpdateAssignment,
    UpdateSchedule,
)
from api.services import schedules as schedule_service
from api.services.audit import record_change
from shared.db.models import WeeklySchedule
from shared.store import schedules as schedule_store

router = APIRouter(prefix="/api", tags=["schedules"])


@router.get("/duty-roles", response_model=list[RoleOut], responses=errors())
async def list_roles(actor: Reader, session: SessionDep) -> list[RoleOut]:
    """Duty roles with their positions."""
    out = []
    for role in await schedule_store.roles(session):
        positions = await schedule_store.positions_of(session, role.id)
        out.append(
            RoleOut.model_validate(role).model_copy(
                update={"positions": [PositionOut.model_validate(p) for p in positions]}
            )
        )
    return out


async def _out(session: AsyncSession, row: WeeklySchedule) -> ScheduleOut:
    assignments = await schedule_store.assignments(session, row.id)
    return ScheduleOut.model_validate(row).model_copy(
        update={"assignments": [AssignmentOut.model_validate(a) for a in assignments]}
    )


@router.get("/schedules", response_model=SchedulePage, responses=errors())
async def list_schedules(
    actor: Reader,
    session: SessionDep,
    duty_role_code: str | None = None,
    status: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SchedulePage:
    """Schedules, newest week first."""
    role_id = (
        (await schedule_store.role_by_code(session, duty_role_code)).id if duty_role_code else None
    )
    rows, total = await schedule_store.list_schedules(
        session, role_id=role_id, status=status, start=start, end=end, limit=limit, offset=offset
    )
    return SchedulePage(items=[await _out(session, r) for r in rows], total=total)


@router.post("/schedules", response_model=ScheduleOut, status_code=201, responses=errors(404, 409))
async def create_schedule(
    body: CreateSchedule, actor: Admin, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> ScheduleOut:
    """Create a draft schedule for a role's week (Admin)."""
    row = await schedule_service.create(
        session,
        policy,
        actor,
        role_code=body.duty_role_code,
        week=body.week_start_date,
        notes=body.notes,
        now=clock.now(),
    )
    return await _out(session, row)


@router.get("/schedules/{schedule_id}", response_model=ScheduleOut, responses=errors(404))
async def get_schedule(schedule_id: UUID, actor: Reader, session: SessionDep) -> ScheduleOut:
    """One schedule with its assignments."""
    return await _out(session, await schedule_store.get_schedule(session, schedule_id))


@router.patch("/schedules/{schedule_id}", response_model=ScheduleOut, responses=errors(404))
async def update_schedule(
    schedule_id: UUID, body: UpdateSchedule, actor: Admin, session: SessionDep, clock: ClockDep
) -> ScheduleOut:
    """Change a schedule's notes (Admin)."""
    row = await schedule_store.get_schedule(session, schedule_id, lock=True)
    row.notes, row.updated_at = body.notes, clock.now()
    await record_change(session, actor, "updated", "weekly_schedule", row.id)
    return await _out(session, row)


@router.post(
    "/schedules/{schedule_id}/publish", response_model=ScheduleOut, responses=errors(404, 409)
)
async def publish(
    schedule_id: UUID, actor: Admin, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> ScheduleOut:
    """Publish a draft schedule (Admin)."""
    row = await schedule_service.set_status(
        session, policy, actor, schedule_id, publish=True, now=clock.now()
    )
    return await _out(session, row)


@router.post(
    "/schedules/{schedule_id}/revert-to-draft",
    response_model=ScheduleOut,
    responses=errors(404, 409),
)
async def revert(
    schedule_id: UUID, actor: Admin, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> ScheduleOut:
    """Return a published schedule to draft (Admin)."""
    row = await schedule_service.set_status(
        session, policy, actor, schedule_id, publish=False, now=clock.now()
    )
    return await _out(session, row)


@router.delete("/schedules/{schedule_id}", status_code=204, responses=errors(404, 409))
async def delete_schedule(
    schedule_id: UUID, actor: Admin, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> Response:
    """Delete a draft schedule (Admin)."""
    await schedule_service.remove(session, policy, actor, schedule_id, now=clock.now())
    return Response(status_code=204)


@router.post(
    "/schedules/{schedule_id}/assignments",
    response_model=AssignmentOut,
    status_code=201,
    responses=errors(404, 409, 422),
)
async def add_assignment(
    schedule_id: UUID,
    body: AddAssignment,
    actor: Admin,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
) -> AssignmentOut:
    """Put a member on the schedule (Admin)."""
    row = await schedule_service.add_assignment(
        session, policy, actor, schedule_id, body, now=clock.now()
    )
    return AssignmentOut.model_validate(row)


@router.patch(
    "/schedules/{schedule_id}/assignments/{assignment_id}",
    response_model=AssignmentOut,
    responses=errors(404),
)
async def update_assignment(
    schedule_id: UUID,
    assignment_id: UUID,
    body: UpdateAssignment,
    actor: Admin,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
) -> AssignmentOut:
    """Confirm, release or annotate an assignment (Admin)."""
    row = await schedule_service.update_assignment(
        session, policy, actor, schedule_id, assignment_id, body, now=clock.now()
    )
    return AssignmentOut.model_validate(row)


@router.delete(
    "/schedules/{schedule_id}/assignments/{assignment_id}",
    status_code=204,
    responses=errors(404, 409),
)
async def delete_assignment(
    schedule_id: UUID,
    assignment_id: UUID,
    actor: Admin,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
) -> Response:
    """Remove an assignment from a draft schedule (Admin)."""
    await schedule_service.delete_assignment(
        session, policy, actor, schedule_id, assignment_id, now=clock.now()
    )
    return Response(status_code=204)


@router.get(
    "/schedules/{schedule_id}/overrides", response_model=list[OverrideOut], responses=errors(404)
)
async def list_overrides(
    schedule_id: UUID, actor: Reader, session: SessionDep
) -> list[OverrideOut]:
    """A Duty Watch schedule's night overrides."""
    await schedule_store.get_schedule(session, schedule_id)
    return [
        OverrideOut.model_validate(o) for o in await schedule_store.overrides(session, schedule_id)
    ]


@router.post(
    "/schedules/{schedule_id}/overrides",
    response_model=OverrideOut,
    status_code=201,
    responses=errors(404, 409, 422),
)
async def create_override(
    schedule_id: UUID,
    body: CreateOverride,
    actor: Member,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
) -> OverrideOut:
    """Replace, add or remove someone on one Duty Watch night (Admin or current DDS)."""
    now = clock.now()
    await require_admin_or_dds(session, policy, actor, now=now)
    row = await schedule_service.create_override(session, actor, schedule_id, body, now=now)
    return OverrideOut.model_validate(row)


@router.delete(
    "/schedules/{schedule_id}/overrides/{override_id}", status_code=204, responses=errors(404)
)
async def delete_override(
    schedule_id: UUID,
    override_id: UUID,
    actor: Member,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
) -> Response:
    """Delete a night override (Admin or current DDS)."""
    await require_admin_or_dds(session, policy, actor, now=clock.now())
    await schedule_service.delete_override(session, actor, schedule_id, override_id)
    return Response(status_code=204)
