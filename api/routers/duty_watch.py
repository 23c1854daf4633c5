"""`/api/duty-watch`: tonight's team, live temporary coverage and the night rules (§5.3–§5.5).

Live coverage needs Admin or the current DDS (for clearing too, Appendix B.12); rules need
Admin (they are operational timings).
"""

import uuid
from uuid import UUID

from fastapi import APIRouter, Response
from sqlalchemy import select

from api.deps import ClockDep, SessionDep
from api.operations_deps import Admin, Member, PolicyDep, Reader, require_admin_or_dds
from api.schemas.common import errors
from api.schemas.duty_watch import Cover, LiveOut, RosterLine, RuleIn, RuleOut, StartCover, Tonight
from api.schemas.lockup import Person
from api.services.audit import record_change
from shared.db.models import DutyWatchRule, LiveDutyAssignment
from shared.domain.duty_watch import CoverRequest, LiveEndReason, Position, check_cover
from shared.errors import InvalidInput, NotFound
from shared.services import duty_watch
from shared.store import authority, schedules
from shared.store import duty_watch as dw_store

router = APIRouter(prefix="/api/duty-watch", tags=["duty watch"])


@router.get("/tonight", response_model=Tonight, responses=errors())
async def tonight(
    actor: Reader, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> Tonight:
    """Tonight's team: schedule, night overrides and live coverage merged (§5.3)."""
    data = await duty_watch.tonight(session, on=policy.operational_date(clock.now()))
    codes = {p.id: p.code for p in data.positions}

    def person(member_id: UUID) -> Person:
        return Person(member_id=member_id, display_name=data.labels.get(member_id, ""))

    team = [
        RosterLine(
            position_id=e.position_id,
            position_code=codes.get(e.position_id) if e.position_id else None,
            member=person(e.member_id),
            source=e.source.value,
            status=e.status,
            assignment_id=e.assignment_id,
            is_checked_in=e.member_id in data.present or e.cover is not None,
            live_coverage=Cover(
                assignment_id=e.cover.id,
                started_at=e.cover.started_at,
                member=person(e.cover.member_id),
            )
            if e.cover
            else None,
        )
        for e in data.roster
    ]
    return Tonight(
        operational_date=data.on,
        week_start_date=data.week_start,
        is_duty_watch_night=data.night is not None,
        start_time=data.night.start if data.night else None,
        end_time=data.night.end if data.night else None,
        schedule_id=data.schedule_id,
        team=team,
    )


@router.get("/live-assignments", response_model=list[LiveOut], responses=errors())
async def list_live(actor: Reader, session: SessionDep) -> list[LiveOut]:
    """Active live coverage."""
    rows = await session.scalars(
        select(LiveDutyAssignment)
        .where(LiveDutyAssignment.ended_at.is_(None))
        .order_by(LiveDutyAssignment.started_at)
    )
    return [LiveOut.model_validate(r) for r in rows]


@router.post(
    "/live-assignments", response_model=LiveOut, status_code=201, responses=errors(404, 409)
)
async def start_live(
    body: StartCover, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> LiveOut:
    """A present member with the position's qualification covers it now (Admin or DDS)."""
    now = clock.now()
    await require_admin_or_dds(session, policy, actor, now=now)
    position = await schedules.get_position(session, body.duty_position_id)
    if position.duty_role_id != (await schedules.role_by_code(session, dw_store.DUTY_WATCH)).id:
        raise InvalidInput("not_duty_watch", "Only Duty Watch positions can be covered")
    covers = await dw_store.active_covers(session)
    present = await authority.present_ids(session)
    previous = check_cover(
        CoverRequest(
            member_id=body.member_id,
            position=Position(position.id, position.code, position.max_slots),
            is_present=body.member_id in present,
            qualification_codes=await authority.active_codes(session, body.member_id, now=now),
            active_on_position=[c for c in covers if c.position_id == position.id],
            member_cover=next((c for c in covers if c.member_id == body.member_id), None),
        )
    )
    if previous is not None:
        await dw_store.end_cover(session, previous.id, at=now, reason=LiveEndReason.REASSIGNED)
    cover_id = await dw_store.start_cover(
        session,
        member_id=body.member_id,
        position_id=position.id,
        at=now,
        notes=body.notes,
        assigned_by=actor.member_id,
    )
    await record_change(
        session,
        actor,
        "duty_watch_live_assignment_set",
        "live_duty_assignment",
        cover_id,
        member_id=body.member_id,
        position=position.code,
    )
    row = await dw_store.get_cover(session, cover_id)
    return LiveOut.model_validate(row)


@router.delete("/live-assignments/{cover_id}", status_code=204, responses=errors(404))
async def end_live(
    cover_id: UUID, actor: Member, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> Response:
    """End live coverage (Admin or DDS)."""
    now = clock.now()
    await require_admin_or_dds(session, policy, actor, now=now)
    if not await dw_store.end_cover(session, cover_id, at=now, reason=LiveEndReason.MANUAL_CLEAR):
        raise NotFound("live_assignment_not_found", "No active live coverage with that id")
    await record_change(
        session, actor, "duty_watch_live_assignment_clear", "live_duty_assignment", cover_id
    )
    return Response(status_code=204)


@router.get("/rules", response_model=list[RuleOut], responses=errors())
async def list_rules(actor: Reader, session: SessionDep) -> list[RuleOut]:
    """All Duty Watch rules, active or not."""
    return [RuleOut.model_validate(r) for r in await dw_store.rule_rows(session, active_only=False)]


@router.post("/rules", response_model=RuleOut, status_code=201, responses=errors(422))
async def create_rule(body: RuleIn, actor: Admin, session: SessionDep) -> RuleOut:
    """Add a Duty Watch rule (Admin)."""
    row = DutyWatchRule(id=uuid.uuid4(), **_values(body))
    session.add(row)
    await session.flush()
    await session.refresh(row)
    await record_change(session, actor, "operational_timings_update", "duty_watch_rule", row.id)
    return RuleOut.model_validate(row)


@router.put("/rules/{rule_id}", response_model=RuleOut, responses=errors(404, 422))
async def replace_rule(rule_id: UUID, body: RuleIn, actor: Admin, session: SessionDep) -> RuleOut:
    """Replace a Duty Watch rule (Admin)."""
    row = await session.get(DutyWatchRule, rule_id, with_for_update=True)
    if row is None:
        raise NotFound("rule_not_found", "Duty Watch rule not found")
    for key, value in _values(body).items():
        setattr(row, key, value)
    await session.flush()
    await record_change(session, actor, "operational_timings_update", "duty_watch_rule", row.id)
    return RuleOut.model_validate(row)


@router.delete("/rules/{rule_id}", status_code=204, responses=errors(404))
async def delete_rule(rule_id: UUID, actor: Admin, session: SessionDep) -> Response:
    """Delete a Duty Watch rule (Admin); deactivate it instead to keep its history."""
    row = await session.get(DutyWatchRule, rule_id)
    if row is None:
        raise NotFound("rule_not_found", "Duty Watch rule not found")
    await session.delete(row)
    await record_change(session, actor, "operational_timings_update", "duty_watch_rule", rule_id)
    return Response(status_code=204)


def _values(body: RuleIn) -> dict[str, object]:
    data = body.model_dump()
    data["recurrence"] = body.recurrence.value
    data["ordinal"] = body.ordinal.value if body.ordinal else None
    return data
