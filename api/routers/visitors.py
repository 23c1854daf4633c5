"""Visitors: sign-in, sign-out, lending temporary badges, lists and corrections (§7.3)."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime
from sqlalchemy import text

from api.deps import Actor, ClockDep, SessionDep, require_level
from api.schemas.common import Page, PagingDep, errors
from api.schemas.visitors import (
    LendBadge,
    VisitorCheckout,
    VisitorOut,
    VisitorSignIn,
    VisitorUpdate,
)
from api.services import visitors as visitor_service
from shared.domain.auth import Level, Scope
from shared.errors import NotFound

router = APIRouter(prefix="/api/visitors", tags=["visitors"])
ActiveReader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.VISITORS_READ))]
Reader = Annotated[Actor, Depends(require_level(Level.QUARTERMASTER, scope=Scope.VISITORS_READ))]
Desk = Annotated[Actor, Depends(require_level(Level.QUARTERMASTER, scope=Scope.VISITORS_WRITE))]
Admin = Annotated[Actor, Depends(require_level(Level.ADMIN))]

_SELECT = """
    SELECT v.*, b.serial_number AS temporary_badge_serial, count(*) OVER () AS total
    FROM visitors v LEFT JOIN badges b ON b.id = v.temporary_badge_id
"""


async def _one(session: SessionDep, visitor_id: UUID) -> VisitorOut:
    row = (
        (await session.execute(text(f"{_SELECT} WHERE v.id = :id"), {"id": visitor_id}))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("visitor_not_found", "Visitor not found")
    return VisitorOut.model_validate(dict(row))


async def _page(
    session: SessionDep, where: str, params: dict[str, Any], paging: Any
) -> Page[VisitorOut]:
    rows = (
        (
            await session.execute(
                text(
                    f"{_SELECT} WHERE {where} ORDER BY v.check_in_at DESC, v.id"
                    " LIMIT :limit OFFSET :offset"
                ),
                {**params, "limit": paging.page_size, "offset": paging.offset},
            )
        )
        .mappings()
        .all()
    )
    return Page[VisitorOut](
        items=[VisitorOut.model_validate(dict(r)) for r in rows],
        total=int(rows[0]["total"]) if rows else 0,
        page=paging.page,
        page_size=paging.page_size,
    )


@router.get("/active", response_model=Page[VisitorOut], responses=errors(422))
async def active_visitors(
    actor: ActiveReader, session: SessionDep, paging: PagingDep
) -> Page[VisitorOut]:
    """Visitors in the building now."""
    return await _page(session, "v.check_out_at IS NULL", {}, paging)


@router.get("", response_model=Page[VisitorOut], responses=errors(422))
async def list_visitors(
    actor: Reader,
    session: SessionDep,
    paging: PagingDep,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    visit_type: Annotated[str | None, Query(max_length=50)] = None,
    host_member_id: UUID | None = None,
) -> Page[VisitorOut]:
    """Visits, newest first, filtered by sign-in time, type or host (Quartermaster)."""
    clauses, params = ["true"], {}
    filters: dict[str, tuple[str, datetime | str | UUID | None]] = {
        "since": ("v.check_in_at >= :since", since),
        "until": ("v.check_in_at < :until", until),
        "type": ("v.visit_type = :type", visit_type),
        "host": ("v.host_member_id = :host", host_member_id),
    }
    for name, (clause, value) in filters.items():
        if value is not None:
            clauses.append(clause)
            params[name] = value
    return await _page(session, " AND ".join(clauses), params, paging)


@router.get("/{visitor_id}", response_model=VisitorOut, responses=errors(404))
async def get_visitor(visitor_id: UUID, actor: Reader, session: SessionDep) -> VisitorOut:
    """Return one visit."""
    return await _one(session, visitor_id)


@router.post("", response_model=VisitorOut, status_code=201, responses=errors(404, 409, 422))
async def sign_in(
    body: VisitorSignIn, actor: Desk, session: SessionDep, clock: ClockDep
) -> VisitorOut:
    """Sign a visitor in, optionally lending a temporary badge."""
    visitor = await visitor_service.sign_in(session, actor, body, now=clock.now())
    return await _one(session, visitor.id)


@router.post("/{visitor_id}/checkout", response_model=VisitorOut, responses=errors(404, 409, 422))
async def sign_out(
    visitor_id: UUID,
    actor: Desk,
    session: SessionDep,
    clock: ClockDep,
    body: VisitorCheckout | None = None,
) -> VisitorOut:
    """Sign a visitor out and free their badge; 409 if already signed out."""
    at = body.at if body else None
    await visitor_service.sign_out(session, actor, visitor_id, at=at, now=clock.now())
    return await _one(session, visitor_id)


@router.post("/{visitor_id}/badge", response_model=VisitorOut, responses=errors(404, 409, 422))
async def lend_badge(
    visitor_id: UUID, body: LendBadge, actor: Desk, session: SessionDep
) -> VisitorOut:
    """Lend a temporary badge to a visitor who is in."""
    await visitor_service.lend_badge(session, actor, visitor_id, body)
    return await _one(session, visitor_id)


@router.delete("/{visitor_id}/badge", response_model=VisitorOut, responses=errors(404, 409))
async def release_badge(visitor_id: UUID, actor: Desk, session: SessionDep) -> VisitorOut:
    """Take the lent badge back."""
    await visitor_service.release_badge(session, actor, visitor_id)
    return await _one(session, visitor_id)


@router.patch("/{visitor_id}", response_model=VisitorOut, responses=errors(404, 422))
async def correct_visit(
    visitor_id: UUID, body: VisitorUpdate, actor: Admin, session: SessionDep, clock: ClockDep
) -> VisitorOut:
    """Correct a visit (Admin)."""
    await visitor_service.correct_visit(session, actor, visitor_id, body, now=clock.now())
    return await _one(session, visitor_id)
