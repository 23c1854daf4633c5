"""Manual check-ins and corrections (domain.md §2.10), through `record_checkins`.

Who may correct history: Admin, or (issue 6) the current DDS — see `can_correct_checkins`.
"""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.encoders import jsonable_encoder
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.services.audit import record_change
from shared.db.models import Badge, Checkin, Member, MissedCheckout
from shared.domain.auth import Level, Scope
from shared.domain.checkin import Direction, Method, toggle
from shared.domain.opday import operational_date
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.services import building_state
from shared.services.checkin_writes import CheckinWrite, queue_presence, record_checkins
from shared.settings import Settings
from shared.store import lockup as lockup_store
from shared.store import states

SOURCE = "ADMIN_MANUAL"
FIELDS = ("id", "member_id", "badge_id", "direction", "at", "source", "method", "device_id")


async def can_correct_checkins(session: AsyncSession, actor: Actor, *, now: datetime) -> bool:
    """Return True when `actor` may write or correct attendance history (§10.2).

    Hook for issue 6: the current DDS may too; today only Admin (and keys with
    `checkins:write`) may.
    """
    if actor.kind == "api_key":
        return Scope.CHECKINS_WRITE.value in actor.scopes
    if actor.level >= Level.ADMIN:
        return True
    return await building_state.is_current_dds(session, actor.member_id)


async def require_correction_rights(session: AsyncSession, actor: Actor, *, now: datetime) -> None:
    """Raise Forbidden unless the actor may correct history."""
    if not await can_correct_checkins(session, actor, now=now):
        raise Forbidden("forbidden", "Only an Admin or the DDS may correct attendance")


async def refuse_if_lockup_holder(session: AsyncSession, member_id: uuid.UUID) -> None:
    """The lockup holder cannot be checked out (409 `lockup_held`, domain.md §6.3)."""
    if member_id in await lockup_store.current_holders(session):
        raise Conflict(
            "lockup_held",
            "Finish transferring lockup or execute building lockup to complete checkout",
            {"holds_lockup": True, "available_options": ["execute_lockup", "transfer_lockup"]},
        )


async def _member(session: AsyncSession, member_id: uuid.UUID) -> Member:
    member = await session.get(Member, member_id)
    if member is None:
        raise NotFound("member_not_found", "Member not found")
    return member


async def _badge_of(session: AsyncSession, member_id: uuid.UUID) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(Badge.id).where(Badge.member_id == member_id)
    )
    return found


async def manual_checkin(
    session: AsyncSession,
    actor: Actor,
    *,
    member_id: uuid.UUID,
    direction: Direction | None,
    at: datetime | None,
    note: str | None,
    now: datetime,
) -> Checkin:
    """Record an in/out for a member, possibly backdated; refuse a repeat of the last direction."""
    await _member(session, member_id)
    when = at or now
    if when > now:
        raise InvalidInput("at_in_future", "A check-in cannot be in the future")
    await states.lock_member_states(session, [member_id])
    before = await states.latest_checkin_before(session, member_id, when)
    wanted = direction or toggle(before.direction if before else None)
    if before is not None and before.direction is wanted:
        raise Conflict(
            f"already_checked_{wanted.value}",
            f"The member is already checked {wanted.value} at that time",
        )
    if wanted is Direction.OUT:
        await refuse_if_lockup_holder(session, member_id)
    recorded = await record_checkins(
        session,
        [
            CheckinWrite(
                member_id, wanted, when, SOURCE, Method.MANUAL, await _badge_of(session, member_id)
            )
        ],
        now=now,
    )
    row = recorded.rows[0]
    await record_change(
        session,
        actor,
        "checkin_manual_create",
        "checkin",
        row.id,
        member_id=member_id,
        direction=wanted.value,
        at=when,
        backdated=when < now,
        note=note,
    )
    checkin = await session.scalar(select(Checkin).where(Checkin.id == row.id))
    assert checkin is not None
    return checkin


async def manual_checkout(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    *,
    member_id: uuid.UUID,
    reason: str,
    now: datetime,
) -> Checkin:
    """Check out a member who forgot, recording a missed check-out (§2.10)."""
    member = await _member(session, member_id)
    locked = await states.lock_member_states(session, [member_id])
    state = locked[member_id]
    if state.direction is not Direction.IN:
        raise Conflict("not_checked_in", "The member is not checked in")
    await refuse_if_lockup_holder(session, member_id)
    original_badge = await session.scalar(
        select(Checkin.badge_id).where(Checkin.id == state.checkin_id)
    )
    session.add(
        MissedCheckout(
            member_id=member_id,
            missed_on=operational_date(
                now, tz=ZoneInfo(settings.timezone), rollover=settings.day_rollover
            ),
            original_checkin_at=state.at,
            forced_checkout_at=now,
            resolved_by="admin",
            resolved_by_member_id=actor.member_id,
            notes=f"Manual checkout correction: {reason}",
        )
    )
    await session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(missed_checkout_count=Member.missed_checkout_count + 1, last_missed_checkout=now)
    )
    badge_id = original_badge or await _badge_of(session, member_id)
    recorded = await record_checkins(
        session,
        [CheckinWrite(member_id, Direction.OUT, now, SOURCE, Method.MANUAL, badge_id)],
        now=now,
    )
    row = recorded.rows[0]
    await record_change(
        session,
        actor,
        "checkin_manual_checkout",
        "checkin",
        row.id,
        member_id=member.id,
        reason=reason,
        original_checkin_at=state.at,
    )
    checkin = await session.scalar(select(Checkin).where(Checkin.id == row.id))
    assert checkin is not None
    return checkin


async def _locked_row(session: AsyncSession, checkin_id: uuid.UUID) -> Checkin:
    row = await session.scalar(select(Checkin).where(Checkin.id == checkin_id))
    if row is None or row.member_id is None:
        raise NotFound("checkin_not_found", "Check-in not found")
    await states.lock_member_states(session, [row.member_id])
    locked = await session.scalar(select(Checkin).where(Checkin.id == checkin_id).with_for_update())
    if locked is None:
        raise NotFound("checkin_not_found", "Check-in not found")
    return locked


def _snapshot(row: Checkin) -> dict[str, object]:
    data: dict[str, object] = jsonable_encoder({f: getattr(row, f) for f in FIELDS})
    return data


async def edit_checkin(
    session: AsyncSession,
    actor: Actor,
    checkin_id: uuid.UUID,
    *,
    direction: Direction | None,
    at: datetime | None,
    reason: str,
    now: datetime,
) -> Checkin:
    """Correct a row's direction or time; the member's state and presence follow (§2.10)."""
    row = await _locked_row(session, checkin_id)
    if at is not None and at > now:
        raise InvalidInput("at_in_future", "A check-in cannot be in the future")
    before = _snapshot(row)
    member_id = row.member_id
    assert member_id is not None
    new_at = at or row.at
    new_direction = (direction or Direction(row.direction)).value
    # `at` is part of the key (hypertable partition column): move the row by delete + insert.
    await session.execute(
        text("DELETE FROM checkins WHERE id = :id AND at = :at"), {"id": row.id, "at": row.at}
    )
    await session.execute(
        text(
            "INSERT INTO checkins (id, at, member_id, visitor_id, badge_id, direction, source,"
            " method, device_id, event_id, clock_suspect, replayed, created_at)"
            " VALUES (:id, :at, :member_id, :visitor_id, :badge_id, :direction, :source,"
            " :method, :device_id, :event_id, :clock_suspect, :replayed, :created_at)"
        ),
        {
            **{
                c: getattr(row, c)
                for c in (
                    "id",
                    "member_id",
                    "visitor_id",
                    "badge_id",
                    "source",
                    "method",
                    "device_id",
                    "event_id",
                    "clock_suspect",
                    "replayed",
                    "created_at",
                )
            },
            "at": new_at,
            "direction": new_direction,
        },
    )
    session.expunge(row)
    await states.recompute_member_state(session, member_id)
    await queue_presence(session, [member_id], now=now)
    edited = await session.scalar(select(Checkin).where(Checkin.id == checkin_id))
    assert edited is not None
    await record_change(
        session,
        actor,
        "checkin_update",
        "checkin",
        checkin_id,
        before=before,
        after=_snapshot(edited),
        reason=reason,
    )
    return edited


async def delete_checkin(
    session: AsyncSession, actor: Actor, checkin_id: uuid.UUID, *, reason: str, now: datetime
) -> None:
    """Delete a row with a reason; the member's state and presence follow (§2.10)."""
    row = await _locked_row(session, checkin_id)
    before = _snapshot(row)
    member_id = row.member_id
    assert member_id is not None
    await session.delete(row)
    await session.flush()
    await states.recompute_member_state(session, member_id)
    await queue_presence(session, [member_id], now=now)
    await record_change(
        session, actor, "checkin_delete", "checkin", checkin_id, before=before, reason=reason
    )
