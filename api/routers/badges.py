"""Badges: list, look up by serial, create, change, assign/unassign, delete (domain.md §1.2)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from sqlalchemy import text

from api.deps import Actor, ClockDep, SessionDep, require_level
from api.schemas.badges import BadgeAssign, BadgeCreate, BadgeOut, BadgeSort, BadgeUpdate
from api.schemas.common import Page, PagingDep, errors
from api.schemas.members import SortOrder
from api.services import badges as badge_service
from shared.domain.auth import Level, Scope
from shared.domain.badges import normalize_serial
from shared.domain.scan import AssignmentType, BadgeStatus
from shared.errors import NotFound

router = APIRouter(prefix="/api/badges", tags=["badges"])
# Badge handling is Quartermaster work (level 2): issuing cards is kit issue.
Reader = Annotated[Actor, Depends(require_level(Level.QUARTERMASTER, scope=Scope.BADGES_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.QUARTERMASTER, scope=Scope.BADGES_WRITE))]

_SELECT = """
    SELECT b.id, b.serial_number, b.assignment_type, b.status, b.member_id, b.created_at,
           b.updated_at, m.display_name AS member_display_name, v.id AS visitor_id,
           count(*) OVER () AS total
    FROM badges b
    LEFT JOIN members m ON m.id = b.member_id
    LEFT JOIN LATERAL (
        SELECT id FROM visitors WHERE temporary_badge_id = b.id AND check_out_at IS NULL
        ORDER BY check_in_at DESC LIMIT 1
    ) v ON true
"""


async def _one(session: SessionDep, where: str, value: object) -> BadgeOut:
    row = (await session.execute(text(f"{_SELECT} WHERE {where}"), {"v": value})).mappings().first()
    if row is None:
        raise NotFound("badge_not_found", "Badge not found")
    return BadgeOut.model_validate(dict(row))


@router.get("", response_model=Page[BadgeOut], responses=errors(422))
async def list_badges(
    actor: Reader,
    session: SessionDep,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    status: BadgeStatus | None = None,
    assignment_type: AssignmentType | None = None,
    sort: BadgeSort = BadgeSort.SERIAL_NUMBER,
    order: SortOrder = SortOrder.ASC,
) -> Page[BadgeOut]:
    """List badges (Quartermaster)."""
    clauses, params = ["true"], {}
    if q:
        clauses.append("(b.serial_number ILIKE :q OR m.display_name ILIKE :q)")
        params["q"] = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if status is not None:
        clauses.append("b.status = :status")
        params["status"] = status.value
    if assignment_type is not None:
        clauses.append("b.assignment_type = :assignment")
        params["assignment"] = assignment_type.value
    direction = "DESC" if order is SortOrder.DESC else "ASC"
    rows = (
        (
            await session.execute(
                text(
                    f"{_SELECT} WHERE {' AND '.join(clauses)}"
                    f" ORDER BY b.{sort.value} {direction}, b.id LIMIT :limit OFFSET :offset"
                ),
                {**params, "limit": paging.page_size, "offset": paging.offset},
            )
        )
        .mappings()
        .all()
    )
    total = int(rows[0]["total"]) if rows else 0
    return Page[BadgeOut](
        items=[BadgeOut.model_validate(dict(r)) for r in rows],
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )


@router.get("/by-serial/{serial}", response_model=BadgeOut, responses=errors(404))
async def find_by_serial(serial: str, actor: Reader, session: SessionDep) -> BadgeOut:
    """Look a badge up by its serial (any separator or case)."""
    return await _one(session, "b.serial_number = :v", normalize_serial(serial) or serial)


@router.get("/{badge_id}", response_model=BadgeOut, responses=errors(404))
async def get_badge(badge_id: UUID, actor: Reader, session: SessionDep) -> BadgeOut:
    """Return one badge."""
    return await _one(session, "b.id = :v", badge_id)


@router.post("", response_model=BadgeOut, status_code=201, responses=errors(409, 422))
async def create_badge(
    body: BadgeCreate, actor: Writer, session: SessionDep, clock: ClockDep
) -> BadgeOut:
    """Register a badge (unassigned, or in the visitor pool with `for_visitors`)."""
    badge = await badge_service.create_badge(
        session,
        actor,
        serial=body.serial_number,
        status=body.status,
        for_visitors=body.for_visitors,
        now=clock.now(),
    )
    return await _one(session, "b.id = :v", badge.id)


@router.patch("/{badge_id}", response_model=BadgeOut, responses=errors(404, 409, 422))
async def update_badge(
    badge_id: UUID, body: BadgeUpdate, actor: Writer, session: SessionDep, clock: ClockDep
) -> BadgeOut:
    """Change a badge's serial or status."""
    await badge_service.update_badge(
        session, actor, badge_id, serial=body.serial_number, status=body.status, now=clock.now()
    )
    return await _one(session, "b.id = :v", badge_id)


@router.post("/{badge_id}/assign", response_model=BadgeOut, responses=errors(404, 409, 422))
async def assign_badge(
    badge_id: UUID, body: BadgeAssign, actor: Writer, session: SessionDep, clock: ClockDep
) -> BadgeOut:
    """Give the badge to a member."""
    await badge_service.assign_badge(session, actor, badge_id, body.member_id, now=clock.now())
    return await _one(session, "b.id = :v", badge_id)


@router.post("/{badge_id}/unassign", response_model=BadgeOut, responses=errors(404, 409))
async def unassign_badge(
    badge_id: UUID, actor: Writer, session: SessionDep, clock: ClockDep
) -> BadgeOut:
    """Take the badge back from its member."""
    await badge_service.unassign_badge(session, actor, badge_id, now=clock.now())
    return await _one(session, "b.id = :v", badge_id)


@router.delete("/{badge_id}", status_code=204, responses=errors(404, 409))
async def delete_badge(
    badge_id: UUID, actor: Writer, session: SessionDep, unassign_first: bool = False
) -> None:
    """Delete a never-used badge; a used one answers 409 `badge_has_history`."""
    await badge_service.delete_badge(session, actor, badge_id, unassign_first=unassign_first)
