"""Attendance history (members and visitors merged), manual check-ins and corrections (§2.10)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime
from sqlalchemy import select, text

from api.deps import Actor, ClockDep, CurrentActor, SessionDep, StateDep, require_level
from api.schemas.checkins import (
    CheckinEdit,
    CheckinOut,
    HistoryItem,
    ManualCheckin,
    ManualCheckout,
)
from api.schemas.common import Page, Paging, PagingDep, errors
from api.services import checkins as checkin_service
from shared.db.models import Checkin
from shared.domain.auth import Level, Scope
from shared.errors import Forbidden, NotFound

router = APIRouter(prefix="/api", tags=["checkins"])
Reader = Annotated[Actor, Depends(require_level(Level.COMMAND, scope=Scope.CHECKINS_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.CHECKINS_WRITE))]

_MEMBERS = """
    SELECT c.id::text AS id, 'member' AS kind, c.member_id, NULL::uuid AS visitor_id,
           m.display_name, c.direction, c.at, c.source, c.method, c.badge_id
    FROM checkins c JOIN members m ON m.id = c.member_id
    WHERE {where}
"""
_VISITORS = """
    SELECT 'v-in-' || v.id AS id, 'visitor' AS kind, NULL::uuid AS member_id,
           v.id AS visitor_id, v.display_name, 'in' AS direction, v.check_in_at AS at,
           v.source, v.check_in_method AS method, v.temporary_badge_id AS badge_id
    FROM visitors v
    UNION ALL
    SELECT 'v-out-' || v.id, 'visitor', NULL::uuid, v.id, v.display_name, 'out',
           v.check_out_at, v.source, v.check_in_method, v.temporary_badge_id
    FROM visitors v WHERE v.check_out_at IS NOT NULL
"""


async def _history(
    session: SessionDep,
    paging: Paging,
    *,
    member_id: UUID | None,
    source: str | None,
    since: AwareDatetime | None,
    until: AwareDatetime | None,
) -> Page[HistoryItem]:
    clauses: list[str] = ["true"]
    params: dict[str, Any] = {}
    if member_id is not None:
        clauses.append("c.member_id = :member")
        params["member"] = member_id
    for name, clause, value in (
        ("source", "c.source = :source", source),
        ("since", "c.at >= :since", since),
        ("until", "c.at < :until", until),
    ):
        if value is not None:
            clauses.append(clause)
            params[name] = value
    union = _MEMBERS.format(where=" AND ".join(clauses))
    if member_id is None:
        outer = ["true"]
        for name, clause in (
            ("source", "h.source = :source"),
            ("since", "h.at >= :since"),
            ("until", "h.at < :until"),
        ):
            if name in params:
                outer.append(clause)
        union = f"SELECT * FROM ({union} UNION ALL {_VISITORS}) h WHERE {' AND '.join(outer)}"
    rows = (
        (
            await session.execute(
                text(
                    f"SELECT q.*, count(*) OVER () AS total FROM ({union}) q"
                    " ORDER BY q.at DESC, q.id LIMIT :limit OFFSET :offset"
                ),
                {**params, "limit": paging.page_size, "offset": paging.offset},
            )
        )
        .mappings()
        .all()
    )
    return Page[HistoryItem](
        items=[HistoryItem.model_validate(dict(r)) for r in rows],
        total=int(rows[0]["total"]) if rows else 0,
        page=paging.page,
        page_size=paging.page_size,
    )


@router.get("/checkins", response_model=Page[HistoryItem], responses=errors(422))
async def history(
    actor: Reader,
    session: SessionDep,
    paging: PagingDep,
    member_id: UUID | None = None,
    source: Annotated[str | None, Query(max_length=50)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> Page[HistoryItem]:
    """History, newest first; visitor sign-ins/outs are merged in unless `member_id` is given."""
    return await _history(
        session, paging, member_id=member_id, source=source, since=since, until=until
    )


@router.get(
    "/members/{member_id}/checkins", response_model=Page[HistoryItem], responses=errors(422)
)
async def member_history(
    member_id: UUID,
    actor: CurrentActor,
    session: SessionDep,
    paging: PagingDep,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> Page[HistoryItem]:
    """One member's history: Command and above, or the member themself."""
    own = actor.kind == "member" and actor.member_id == member_id
    allowed = (actor.kind == "member" and actor.level >= Level.COMMAND) or (
        actor.kind == "api_key" and Scope.CHECKINS_READ.value in actor.scopes
    )
    if not (own or allowed):
        raise Forbidden("forbidden", "You may only see your own history")
    return await _history(
        session, paging, member_id=member_id, source=None, since=since, until=until
    )


@router.get("/checkins/{checkin_id}", response_model=CheckinOut, responses=errors(404))
async def get_checkin(checkin_id: UUID, actor: Reader, session: SessionDep) -> CheckinOut:
    """Return one check-in row."""
    row = await session.scalar(select(Checkin).where(Checkin.id == checkin_id))
    if row is None:
        raise NotFound("checkin_not_found", "Check-in not found")
    return CheckinOut.model_validate(row)


@router.post(
    "/checkins", response_model=CheckinOut, status_code=201, responses=errors(404, 409, 422)
)
async def manual_checkin(
    body: ManualCheckin, actor: Writer, session: SessionDep, clock: ClockDep
) -> CheckinOut:
    """Record a check-in/out by hand, optionally backdated (Admin or DDS)."""
    now = clock.now()
    await checkin_service.require_correction_rights(session, actor, now=now)
    row = await checkin_service.manual_checkin(
        session,
        actor,
        member_id=body.member_id,
        direction=body.direction,
        at=body.at,
        note=body.note,
        now=now,
    )
    return CheckinOut.model_validate(row)


@router.post(
    "/checkins/manual-checkout",
    response_model=CheckinOut,
    status_code=201,
    responses=errors(404, 409, 422),
)
async def manual_checkout(
    body: ManualCheckout, actor: Writer, session: SessionDep, state: StateDep, clock: ClockDep
) -> CheckinOut:
    """Check out a member who forgot; counts a missed check-out (Admin or DDS)."""
    now = clock.now()
    await checkin_service.require_correction_rights(session, actor, now=now)
    row = await checkin_service.manual_checkout(
        session, actor, state.settings, member_id=body.member_id, reason=body.reason, now=now
    )
    return CheckinOut.model_validate(row)


@router.patch("/checkins/{checkin_id}", response_model=CheckinOut, responses=errors(404, 422))
async def edit_checkin(
    checkin_id: UUID, body: CheckinEdit, actor: Writer, session: SessionDep, clock: ClockDep
) -> CheckinOut:
    """Correct a check-in's direction or time, with a reason (Admin or DDS)."""
    now = clock.now()
    await checkin_service.require_correction_rights(session, actor, now=now)
    row = await checkin_service.edit_checkin(
        session,
        actor,
        checkin_id,
        direction=body.direction,
        at=body.at,
        reason=body.reason,
        now=now,
    )
    return CheckinOut.model_validate(row)


@router.delete("/checkins/{checkin_id}", status_code=204, responses=errors(404, 422))
async def delete_checkin(
    checkin_id: UUID,
    actor: Writer,
    session: SessionDep,
    clock: ClockDep,
    reason: Annotated[str, Query(min_length=1, max_length=500)],
) -> None:
    """Delete a check-in, with a reason (Admin or DDS)."""
    now = clock.now()
    await checkin_service.require_correction_rights(session, actor, now=now)
    await checkin_service.delete_checkin(session, actor, checkin_id, reason=reason, now=now)
