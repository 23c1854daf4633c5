"""Weekly schedule use cases: lifecycle, assignments and Duty Watch night overrides (§5.2, §5.3).

Changes to the DDS role's schedules re-publish the retained `building/dds` state, since the
scheduled and next-week DDS are part of it.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.schemas.schedules import AddAssignment, CreateOverride, UpdateAssignment
from api.services.audit import record_change
from shared.db.models import Member, NightOverride, ScheduleAssignment, WeeklySchedule
from shared.domain.duty_watch import OverrideType, nights_in_week
from shared.domain.opday import week_start
from shared.errors import Conflict, InvalidInput, NotFound, RuleViolation
from shared.policy import OperationsPolicy
from shared.services import building_state
from shared.store import duty_watch as dw_store
from shared.store import lockup as lockup_store
from shared.store import schedules as schedule_store


async def _republish_if_dds(
    session: AsyncSession, policy: OperationsPolicy, schedule: WeeklySchedule, *, now: datetime
) -> None:
    role = await schedule_store.get_role(session, schedule.duty_role_id)
    if role.code == "DDS":
        await lockup_store.lock_building(session)
        await building_state.publish_state(
            session, on=policy.operational_date(now), now=now, lockup=False
        )


async def create(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    *,
    role_code: str,
    week: date,
    notes: str | None,
    now: datetime,
) -> WeeklySchedule:
    """Create a draft schedule for the role's week (409 when it exists)."""
    role = await schedule_store.role_by_code(session, role_code)
    monday = week_start(week)
    if await dw_store.schedule_for(session, role.code, monday) is not None:
        raise Conflict("schedule_exists", f"A {role.code} schedule for the week of {monday} exists")
    row = WeeklySchedule(
        id=uuid.uuid4(),
        duty_role_id=role.id,
        week_start_date=monday,
        status="draft",
        notes=notes,
        created_by=actor.member_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await record_change(session, actor, "created", "weekly_schedule", row.id, role=role.code)
    await _republish_if_dds(session, policy, row, now=now)
    return row


async def set_status(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    schedule_id: uuid.UUID,
    *,
    publish: bool,
    now: datetime,
) -> WeeklySchedule:
    """Publish a draft, or revert a published schedule to draft."""
    row = await schedule_store.get_schedule(session, schedule_id, lock=True)
    want, have = ("published", "draft") if publish else ("draft", "published")
    if row.status != have:
        raise RuleViolation("invalid_status", f"Only a {have} schedule can become {want}")
    row.status, row.updated_at = want, now
    row.published_at = now if publish else None
    row.published_by = actor.member_id if publish else None
    await record_change(
        session, actor, "published" if publish else "reverted", "weekly_schedule", row.id
    )
    await _republish_if_dds(session, policy, row, now=now)
    return row


async def remove(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    schedule_id: uuid.UUID,
    *,
    now: datetime,
) -> None:
    """Delete a draft schedule."""
    row = await schedule_store.get_schedule(session, schedule_id, lock=True)
    if row.status != "draft":
        raise RuleViolation("not_draft", "Only a draft schedule can be deleted")
    await session.delete(row)
    await session.flush()
    await record_change(session, actor, "deleted", "weekly_schedule", schedule_id)
    await _republish_if_dds(session, policy, row, now=now)


async def add_assignment(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    schedule_id: uuid.UUID,
    body: AddAssignment,
    *,
    now: datetime,
) -> ScheduleAssignment:
    """Add a member (once per schedule) within the position's slots (§5.2)."""
    schedule = await schedule_store.get_schedule(session, schedule_id, lock=True)
    role = await schedule_store.get_role(session, schedule.duty_role_id)
    if role.role_type == "team" and body.duty_position_id is None:
        raise InvalidInput("position_required", f"A {role.code} assignment needs a position")
    if body.duty_position_id is not None:
        position = await schedule_store.get_position(session, body.duty_position_id)
        if position.duty_role_id != role.id:
            raise InvalidInput("position_mismatch", "The position belongs to another role")
        taken = await session.scalar(
            select(func.count())
            .select_from(ScheduleAssignment)
            .where(
                ScheduleAssignment.schedule_id == schedule_id,
                ScheduleAssignment.duty_position_id == position.id,
                ScheduleAssignment.status != "released",
            )
        )
        if int(taken or 0) >= position.max_slots:
            raise Conflict(
                "position_full",
                f"Position '{position.name}' is full (max {position.max_slots} slots)",
            )
    if await session.get(Member, body.member_id) is None:
        raise NotFound("member_not_found", "Member not found")
    taken_by_member = await session.scalar(
        select(ScheduleAssignment.id).where(
            ScheduleAssignment.schedule_id == schedule_id,
            ScheduleAssignment.member_id == body.member_id,
        )
    )
    if taken_by_member is not None:
        raise Conflict("already_assigned", "The member is already on this schedule")
    row = ScheduleAssignment(
        id=uuid.uuid4(),
        schedule_id=schedule_id,
        duty_position_id=body.duty_position_id,
        member_id=body.member_id,
        status="assigned",
        notes=body.notes,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    await record_change(
        session, actor, "created", "schedule_assignment", row.id, member_id=body.member_id
    )
    await _republish_if_dds(session, policy, schedule, now=now)
    return row


async def update_assignment(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    schedule_id: uuid.UUID,
    assignment_id: uuid.UUID,
    body: UpdateAssignment,
    *,
    now: datetime,
) -> ScheduleAssignment:
    """Confirm, release or annotate an assignment."""
    schedule = await schedule_store.get_schedule(session, schedule_id)
    row = await schedule_store.get_assignment(session, schedule_id, assignment_id)
    if body.status is not None and body.status != row.status:
        row.status = body.status
        row.confirmed_at = now if body.status == "confirmed" else row.confirmed_at
        row.released_at = now if body.status == "released" else None
    if "notes" in body.model_fields_set:
        row.notes = body.notes
    await session.flush()
    await record_change(session, actor, "updated", "schedule_assignment", row.id, status=row.status)
    await _republish_if_dds(session, policy, schedule, now=now)
    return row


async def delete_assignment(
    session: AsyncSession,
    policy: OperationsPolicy,
    actor: Actor,
    schedule_id: uuid.UUID,
    assignment_id: uuid.UUID,
    *,
    now: datetime,
) -> None:
    """Delete an assignment of a draft schedule (release it on a published one)."""
    schedule = await schedule_store.get_schedule(session, schedule_id)
    if schedule.status != "draft":
        raise RuleViolation("not_draft", "Assignments of a published schedule are released")
    row = await schedule_store.get_assignment(session, schedule_id, assignment_id)
    await session.delete(row)
    await session.flush()
    await record_change(session, actor, "deleted", "schedule_assignment", assignment_id)
    await _republish_if_dds(session, policy, schedule, now=now)


async def create_override(
    session: AsyncSession,
    actor: Actor,
    schedule_id: uuid.UUID,
    body: CreateOverride,
    *,
    now: datetime,
) -> NightOverride:
    """Create a night override on a Duty Watch schedule (domain.md §5.3)."""
    schedule = await schedule_store.get_schedule(session, schedule_id)
    role = await schedule_store.get_role(session, schedule.duty_role_id)
    if role.code != dw_store.DUTY_WATCH:
        raise InvalidInput("not_duty_watch", "Night overrides apply to Duty Watch schedules")
    nights = nights_in_week(await dw_store.rules(session), schedule.week_start_date)
    if body.night_date not in nights:
        raise InvalidInput(
            "not_a_watch_night",
            "The date is not a Duty Watch night of this week",
            {"allowed_dates": [n.isoformat() for n in nights]},
        )
    position = await schedule_store.get_position(session, body.duty_position_id)
    if position.duty_role_id != role.id:
        raise InvalidInput("position_mismatch", "The position is not a Duty Watch position")
    needs = {
        OverrideType.REPLACE: (body.base_member_id, body.member_id),
        OverrideType.ADD: (body.member_id,),
        OverrideType.REMOVE: (body.base_member_id,),
    }[body.override_type]
    if any(v is None for v in needs):
        raise InvalidInput("missing_member", f"A {body.override_type} override needs its members")
    existing = await session.scalar(
        select(NightOverride.id).where(
            NightOverride.schedule_id == schedule_id,
            NightOverride.night_date == body.night_date,
            NightOverride.duty_position_id == body.duty_position_id,
            NightOverride.base_member_id == body.base_member_id,
        )
    )
    if existing is not None:
        raise Conflict("override_exists", "An override for that person and night exists")
    row = NightOverride(
        id=uuid.uuid4(),
        schedule_id=schedule_id,
        night_date=body.night_date,
        duty_position_id=body.duty_position_id,
        override_type=body.override_type.value,
        member_id=body.member_id if body.override_type is not OverrideType.REMOVE else None,
        base_member_id=body.base_member_id if body.override_type is not OverrideType.ADD else None,
        notes=body.notes,
        created_by=actor.member_id,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    await record_change(session, actor, "duty_watch_override_create", "dw_night_override", row.id)
    return row


async def delete_override(
    session: AsyncSession, actor: Actor, schedule_id: uuid.UUID, override_id: uuid.UUID
) -> None:
    """Delete a night override."""
    result = await session.execute(
        delete(NightOverride).where(
            NightOverride.id == override_id, NightOverride.schedule_id == schedule_id
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("override_not_found", "Override not found on this schedule")
    await record_change(
        session, actor, "duty_watch_override_delete", "dw_night_override", override_id
    )
