"""Badge writes: create, change, assign and unassign, delete or refuse (domain.md §1.2)."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.services.audit import record_change, snapshot
from api.services.db import flush_or_conflict
from shared.db.models import Badge, Checkin, Member, Visitor
from shared.domain.badges import assignment_problem, normalize_serial
from shared.domain.scan import AssignmentType, BadgeStatus
from shared.errors import Conflict, InvalidInput, NotFound

FIELDS = ("serial_number", "assignment_type", "member_id", "status")
MESSAGES = {
    "badge_decommissioned": "A decommissioned badge cannot be assigned",
    "badge_already_assigned": "The badge is already assigned",
    "member_has_badge": "The member already has a badge",
}


def canonical_serial(raw: str) -> str:
    """Return the canonical serial or raise InvalidInput."""
    serial = normalize_serial(raw)
    if serial is None:
        raise InvalidInput(
            "badge_serial_invalid", "A badge serial is the UID in hex: 4 to 10 bytes"
        )
    return serial


async def get_badge(session: AsyncSession, badge_id: uuid.UUID, *, lock: bool = False) -> Badge:
    """Return the badge or raise NotFound."""
    badge = await session.get(Badge, badge_id, with_for_update=lock)
    if badge is None:
        raise NotFound("badge_not_found", "Badge not found")
    return badge


async def open_visit_holding(session: AsyncSession, badge_id: uuid.UUID) -> uuid.UUID | None:
    """Return the open visit holding this badge, if any."""
    found: uuid.UUID | None = await session.scalar(
        select(Visitor.id).where(
            Visitor.temporary_badge_id == badge_id, Visitor.check_out_at.is_(None)
        )
    )
    return found


async def create_badge(
    session: AsyncSession,
    actor: Actor,
    *,
    serial: str,
    status: BadgeStatus,
    for_visitors: bool,
    now: datetime,
) -> Badge:
    """Create a badge, unassigned (or in the visitor pool); 409 on a duplicate serial."""
    assignment = AssignmentType.VISITOR if for_visitors else AssignmentType.UNASSIGNED
    badge = Badge(
        id=uuid.uuid4(),
        serial_number=canonical_serial(serial),
        status=status.value,
        assignment_type=assignment.value,
        created_at=now,
        updated_at=now,
    )
    session.add(badge)
    await flush_or_conflict(session, "badge_serial_taken", "A badge has this serial")
    await record_change(
        session, actor, "badge_create", "badge", badge.id, after=snapshot(badge, FIELDS)
    )
    return badge


async def update_badge(
    session: AsyncSession,
    actor: Actor,
    badge_id: uuid.UUID,
    *,
    serial: str | None,
    status: BadgeStatus | None,
    now: datetime,
) -> Badge:
    """Change serial or status; decommissioning unassigns the badge."""
    badge = await get_badge(session, badge_id, lock=True)
    before = snapshot(badge, FIELDS)
    if serial is not None:
        badge.serial_number = canonical_serial(serial)
    if status is not None and status.value != badge.status:
        if status is BadgeStatus.DECOMMISSIONED:
            if await open_visit_holding(session, badge.id):
                raise Conflict("badge_in_use", "A visitor holds this badge; release it first")
            _clear(badge)
        badge.status = status.value
    badge.updated_at = now
    await flush_or_conflict(session, "badge_serial_taken", "A badge has this serial")
    action = "badge_status_change" if before["status"] != badge.status else "badge_update"
    await record_change(
        session, actor, action, "badge", badge.id, before=before, after=snapshot(badge, FIELDS)
    )
    return badge


def _clear(badge: Badge) -> None:
    if badge.assignment_type == AssignmentType.MEMBER.value:
        badge.assignment_type = AssignmentType.UNASSIGNED.value
    badge.member_id = None


async def assign_badge(
    session: AsyncSession, actor: Actor, badge_id: uuid.UUID, member_id: uuid.UUID, *, now: datetime
) -> Badge:
    """Give the badge to a member (409 if either side is taken or the badge is retired)."""
    badge = await get_badge(session, badge_id, lock=True)
    member = await session.get(Member, member_id)
    if member is None:
        raise NotFound("member_not_found", "Member not found")
    has_badge = bool(await session.scalar(select(func.count()).where(Badge.member_id == member_id)))
    problem = assignment_problem(
        BadgeStatus(badge.status), AssignmentType(badge.assignment_type), member_has_badge=has_badge
    )
    if problem is not None:
        raise Conflict(problem, MESSAGES[problem])
    before = snapshot(badge, FIELDS)
    badge.assignment_type, badge.member_id, badge.updated_at = "member", member_id, now
    await flush_or_conflict(session, "member_has_badge", MESSAGES["member_has_badge"])
    await record_change(
        session,
        actor,
        "badge_assign",
        "badge",
        badge.id,
        before=before,
        after=snapshot(badge, FIELDS),
    )
    return badge


async def unassign_badge(
    session: AsyncSession, actor: Actor, badge_id: uuid.UUID, *, now: datetime
) -> Badge:
    """Take the badge back from its member (a visitor's badge is released by the visit)."""
    badge = await get_badge(session, badge_id, lock=True)
    if badge.assignment_type != AssignmentType.MEMBER.value:
        raise Conflict("badge_not_assigned", "The badge is not assigned to a member")
    before = snapshot(badge, FIELDS)
    _clear(badge)
    badge.updated_at = now
    await session.flush()
    await record_change(
        session,
        actor,
        "badge_unassign",
        "badge",
        badge.id,
        before=before,
        after=snapshot(badge, FIELDS),
    )
    return badge


async def delete_badge(
    session: AsyncSession, actor: Actor, badge_id: uuid.UUID, *, unassign_first: bool
) -> None:
    """Delete a badge with no history; one with history must be decommissioned instead."""
    badge = await get_badge(session, badge_id, lock=True)
    if badge.member_id is not None and not unassign_first:
        raise Conflict("badge_assigned", "Unassign the badge first (or pass unassign_first)")
    used = await session.scalar(select(func.count()).where(Checkin.badge_id == badge_id))
    lent = await session.scalar(select(func.count()).where(Visitor.temporary_badge_id == badge_id))
    if used or lent:
        raise Conflict(
            "badge_has_history",
            "The badge has been used; decommission it instead",
            {"checkins": int(used or 0), "visits": int(lent or 0)},
        )
    before = snapshot(badge, FIELDS)
    await session.delete(badge)
    # A tap written meanwhile (not yet committed when it was counted above) is seen by the
    # database's own check, which waits for it (migration 0013): the same answer.
    await flush_or_conflict(
        session, "badge_has_history", "The badge has just been used; decommission it instead"
    )
    await record_change(session, actor, "badge_delete", "badge", badge_id, before=before)
