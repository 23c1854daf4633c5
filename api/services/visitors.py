"""Visitor writes: sign-in with validation, sign-out releasing the badge, badge lending (§7.3).

Fixes Appendix B 11: sign-out releases the temporary badge and an already signed-out visit
is refused (409) instead of having its time overwritten. Movements queue a `events/checkins`
message (with `visitor_id`) and the retained presence summary.
"""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.schemas.visitors import LendBadge, VisitorSignIn, VisitorUpdate
from api.services.audit import record_change, snapshot
from api.services.badges import canonical_serial, open_visit_holding
from shared.contracts import topics
from shared.contracts.checkin import CheckinEvent
from shared.db.models import Badge, Member, Visitor, VisitTypeOption
from shared.domain.badges import temporary_badge_problem
from shared.domain.checkin import Direction, Method
from shared.domain.display import visitor_display_name
from shared.domain.scan import AssignmentType, BadgeStatus
from shared.domain.visitors import (
    CheckInMethod,
    VisitorFacts,
    VisitPurpose,
    compose_reason,
    sign_in_problems,
)
from shared.errors import Conflict, InvalidInput, NotFound
from shared.services.checkin_writes import queue_presence
from shared.store.outbox import Outgoing, enqueue

FIELDS = (
    "first_name",
    "last_name",
    "rank_prefix",
    "organization",
    "unit",
    "visit_type",
    "visit_reason",
    "visit_purpose",
    "purpose_details",
    "recruitment_step",
    "host_member_id",
    "temporary_badge_id",
    "check_in_at",
    "check_out_at",
    "admin_notes",
)
BADGE_MESSAGES = {
    "badge_inactive": "Only an active badge can be lent",
    "badge_not_for_visitors": "This badge belongs to a member",
    "badge_in_use": "Another visitor holds this badge",
}


async def get_visitor(
    session: AsyncSession, visitor_id: uuid.UUID, *, lock: bool = False
) -> Visitor:
    """Return the visit or raise NotFound."""
    visitor = await session.get(Visitor, visitor_id, with_for_update=lock)
    if visitor is None:
        raise NotFound("visitor_not_found", "Visitor not found")
    return visitor


async def _visit_type_name(session: AsyncSession, code: str) -> str:
    name = await session.scalar(select(VisitTypeOption.name).where(VisitTypeOption.code == code))
    if name is None:
        raise InvalidInput("visit_type_unknown", f'Unknown visit type "{code}"')
    return name


def _facts(v: Visitor) -> VisitorFacts:
    return VisitorFacts(
        visit_type=v.visit_type,
        rank_prefix=v.rank_prefix,
        unit=v.unit,
        organization=v.organization,
        recruitment_step=v.recruitment_step,
        visit_purpose=None if v.visit_purpose is None else VisitPurpose(v.visit_purpose),
        purpose_details=v.purpose_details,
        has_host=v.host_member_id is not None,
    )


async def _validate(session: AsyncSession, visitor: Visitor) -> str:
    """Check the rules and references; return the visit type's name."""
    type_name = await _visit_type_name(session, visitor.visit_type)
    problems = sign_in_problems(_facts(visitor))
    if problems:
        raise InvalidInput(
            "visitor_invalid",
            problems[0].message,
            {"errors": [{"field": p.field, "message": p.message} for p in problems]},
        )
    if (
        visitor.host_member_id is not None
        and await session.get(Member, visitor.host_member_id) is None
    ):
        raise InvalidInput("host_member_unknown", "The host member does not exist")
    return type_name


async def _movement(
    session: AsyncSession, visitor: Visitor, direction: Direction, at: datetime, *, now: datetime
) -> None:
    event = CheckinEvent(
        id=uuid.uuid4(),
        member_id=None,
        visitor_id=visitor.id,
        display_name=visitor.display_name,
        division=None,
        direction=direction,
        at=at,
        source=visitor.source,
        method=Method.MANUAL,
    )
    await enqueue(session, [Outgoing(topics.CHECKIN_EVENTS, event.to_bytes(), 1, False)])
    await queue_presence(session, [], now=now)


async def sign_in(
    session: AsyncSession, actor: Actor, body: VisitorSignIn, *, now: datetime
) -> Visitor:
    """Sign a visitor in (backdating allowed, never into the future)."""
    at = body.check_in_at or now
    if at > now:
        raise InvalidInput("at_in_future", "check_in_at cannot be in the future")
    kiosk = actor.kind == "api_key"
    values = body.model_dump(exclude={"check_in_at", "temporary_badge_id"})
    visitor = Visitor(
        id=uuid.uuid4(),
        **{k: (v.value if hasattr(v, "value") else v) for k, v in values.items()},
        display_name=visitor_display_name(body.rank_prefix, body.first_name, body.last_name),
        check_in_at=at,
        source="DASHBOARD_KIOSK" if kiosk else "ADMIN_MANUAL",
        check_in_method=(
            CheckInMethod.KIOSK_SELF_SERVICE if kiosk else CheckInMethod.ADMIN_MANUAL
        ).value,
        created_by=actor.member_id,
    )
    type_name = await _validate(session, visitor)
    if not visitor.visit_reason:
        visitor.visit_reason = compose_reason(_facts(visitor), visit_type_name=type_name)
    session.add(visitor)
    await session.flush()
    if body.temporary_badge_id is not None:
        await _lend(session, visitor, await _lock_badge(session, body.temporary_badge_id))
    await _movement(session, visitor, Direction.IN, at, now=now)
    await record_change(
        session, actor, "visitor_sign_in", "visitor", visitor.id, after=snapshot(visitor, FIELDS)
    )
    return visitor


async def _lock_badge(session: AsyncSession, badge_id: uuid.UUID) -> Badge:
    badge = await session.get(Badge, badge_id, with_for_update=True)
    if badge is None:
        raise NotFound("badge_not_found", "Badge not found")
    return badge


async def _lend(session: AsyncSession, visitor: Visitor, badge: Badge) -> None:
    """Lend `badge` (locked) to the open visit (§7.3 [REC])."""
    if visitor.temporary_badge_id is not None and visitor.check_out_at is None:
        raise Conflict("visitor_has_badge", "This visitor already holds a badge")
    problem = temporary_badge_problem(
        BadgeStatus(badge.status),
        AssignmentType(badge.assignment_type),
        held_by_open_visit=await open_visit_holding(session, badge.id) is not None,
    )
    if problem is not None:
        raise Conflict(problem, BADGE_MESSAGES[problem])
    badge.assignment_type = AssignmentType.VISITOR.value  # joins the visitor pool
    visitor.temporary_badge_id = badge.id
    await session.flush()


async def lend_badge(
    session: AsyncSession, actor: Actor, visitor_id: uuid.UUID, body: LendBadge
) -> Visitor:
    """Lend a badge (by id or serial) to a visitor who is still in."""
    visitor = await get_visitor(session, visitor_id, lock=True)
    if visitor.check_out_at is not None:
        raise Conflict("visitor_signed_out", "The visitor has signed out")
    if (body.badge_id is None) == (body.serial_number is None):
        raise InvalidInput("badge_reference", "Give exactly one of badge_id and serial_number")
    if body.badge_id is not None:
        badge = await _lock_badge(session, body.badge_id)
    else:
        serial = canonical_serial(body.serial_number or "")
        found = await session.scalar(select(Badge.id).where(Badge.serial_number == serial))
        if found is None:
            raise NotFound("badge_not_found", "Badge not found")
        badge = await _lock_badge(session, found)
    await _lend(session, visitor, badge)
    await record_change(
        session, actor, "visitor_badge_issue", "visitor", visitor.id, badge_id=badge.id
    )
    return visitor


async def release_badge(session: AsyncSession, actor: Actor, visitor_id: uuid.UUID) -> Visitor:
    """Take a lent badge back before the visitor leaves."""
    visitor = await get_visitor(session, visitor_id, lock=True)
    if visitor.temporary_badge_id is None or visitor.check_out_at is not None:
        raise Conflict("visitor_has_no_badge", "The visitor holds no badge")
    badge_id, visitor.temporary_badge_id = visitor.temporary_badge_id, None
    await session.flush()
    await record_change(
        session, actor, "visitor_badge_release", "visitor", visitor.id, badge_id=badge_id
    )
    return visitor


async def sign_out(
    session: AsyncSession,
    actor: Actor,
    visitor_id: uuid.UUID,
    *,
    at: datetime | None,
    now: datetime,
) -> Visitor:
    """Sign a visitor out; the badge is free again; a second sign-out is refused (409)."""
    visitor = await get_visitor(session, visitor_id, lock=True)
    if visitor.check_out_at is not None:
        raise Conflict("visitor_already_signed_out", "The visitor has already signed out")
    when = at or now
    if when > now or when < visitor.check_in_at:
        raise InvalidInput("at_out_of_range", "Sign-out must be between sign-in and now")
    visitor.check_out_at = when
    await session.flush()
    await _movement(session, visitor, Direction.OUT, when, now=now)
    await record_change(
        session,
        actor,
        "visitor_sign_out",
        "visitor",
        visitor.id,
        at=when,
        released_badge_id=visitor.temporary_badge_id,
    )
    return visitor


async def correct_visit(
    session: AsyncSession,
    actor: Actor,
    visitor_id: uuid.UUID,
    body: VisitorUpdate,
    *,
    now: datetime,
) -> Visitor:
    """Correct a visit's details or times (Admin)."""
    visitor = await get_visitor(session, visitor_id, lock=True)
    before = snapshot(visitor, FIELDS)
    changes = body.model_dump(exclude_unset=True)
    for field in ("first_name", "last_name", "visit_type", "check_in_at"):
        if field in changes and changes[field] is None:
            raise InvalidInput("field_required", f"{field} cannot be null", {"field": field})
    for field, value in changes.items():
        setattr(visitor, field, value.value if hasattr(value, "value") else value)
    if visitor.check_in_at > now or (
        visitor.check_out_at is not None and not visitor.check_in_at <= visitor.check_out_at <= now
    ):
        raise InvalidInput("at_out_of_range", "Times must be in order and not in the future")
    visitor.display_name = visitor_display_name(
        visitor.rank_prefix, visitor.first_name, visitor.last_name
    )
    with session.no_autoflush:  # look the references up before the changed row is written
        await _validate(session, visitor)
    await session.flush()
    if before["check_out_at"] != snapshot(visitor, ["check_out_at"])["check_out_at"]:
        await queue_presence(session, [], now=now)
    await record_change(
        session,
        actor,
        "visitor_update",
        "visitor",
        visitor.id,
        before=before,
        after=snapshot(visitor, FIELDS),
    )
    return visitor
