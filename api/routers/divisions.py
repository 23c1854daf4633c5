"""Divisions (CRUD) and ranks (read-only, ordered by seniority) (domain.md §1.2, §9)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlalchemy import func, select

from api.deps import Actor, SessionDep, require_level
from api.schemas.common import errors
from api.schemas.reference import DivisionCreate, DivisionOut, DivisionUpdate, RankOut
from api.services.audit import record_change, snapshot
from api.services.db import flush_or_conflict
from shared.db.models import Division, Member, Rank
from shared.domain.auth import Level, Scope
from shared.errors import Conflict, NotFound

router = APIRouter(prefix="/api", tags=["reference"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.REFERENCE_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.MEMBERS_WRITE))]
FIELDS = ("code", "name", "description")


async def _division(session: SessionDep, division_id: UUID, *, lock: bool = False) -> Division:
    found = await session.get(Division, division_id, with_for_update=lock)
    if found is None:
        raise NotFound("division_not_found", "Division not found")
    return found


@router.get("/divisions", response_model=list[DivisionOut], responses=errors())
async def list_divisions(actor: Reader, session: SessionDep) -> list[DivisionOut]:
    """List divisions by code."""
    rows = await session.scalars(select(Division).order_by(Division.code))
    return [DivisionOut.model_validate(d) for d in rows]


@router.get("/divisions/{division_id}", response_model=DivisionOut, responses=errors(404))
async def get_division(division_id: UUID, actor: Reader, session: SessionDep) -> DivisionOut:
    """Return one division."""
    return DivisionOut.model_validate(await _division(session, division_id))


@router.post("/divisions", response_model=DivisionOut, status_code=201, responses=errors(409, 422))
async def create_division(body: DivisionCreate, actor: Writer, session: SessionDep) -> DivisionOut:
    """Create a division (Admin)."""
    division = Division(**body.model_dump())
    session.add(division)
    await flush_or_conflict(session, "division_code_taken", "A division has this code")
    await session.refresh(division)
    await record_change(
        session, actor, "division_create", "division", division.id, after=snapshot(division, FIELDS)
    )
    return DivisionOut.model_validate(division)


@router.patch(
    "/divisions/{division_id}", response_model=DivisionOut, responses=errors(404, 409, 422)
)
async def update_division(
    division_id: UUID, body: DivisionUpdate, actor: Writer, session: SessionDep
) -> DivisionOut:
    """Change a division (Admin)."""
    division = await _division(session, division_id, lock=True)
    before = snapshot(division, FIELDS)
    for field, value in body.model_dump(exclude_unset=True).items():
        if value is None and field != "description":
            continue
        setattr(division, field, value)
    await flush_or_conflict(session, "division_code_taken", "A division has this code")
    await record_change(
        session,
        actor,
        "division_update",
        "division",
        division.id,
        before=before,
        after=snapshot(division, FIELDS),
    )
    return DivisionOut.model_validate(division)


@router.delete("/divisions/{division_id}", status_code=204, responses=errors(404, 409))
async def delete_division(division_id: UUID, actor: Writer, session: SessionDep) -> None:
    """Delete a division no member belongs to (Admin)."""
    division = await _division(session, division_id, lock=True)
    used = await session.scalar(
        select(func.count()).select_from(Member).where(Member.division_id == division_id)
    )
    if used:
        raise Conflict("division_in_use", f"In use by {used} members", {"members": int(used)})
    before = snapshot(division, FIELDS)
    await session.delete(division)
    await record_change(session, actor, "division_delete", "division", division_id, before=before)


@router.get("/ranks", response_model=list[RankOut], responses=errors())
async def list_ranks(
    actor: Reader,
    session: SessionDep,
    branch: str | None = None,
    category: str | None = None,
    include_inactive: bool = False,
) -> list[RankOut]:
    """List ranks by branch, then seniority (display_order), never by code (Appendix B 16)."""
    query = select(Rank).order_by(Rank.branch, Rank.display_order, Rank.code)
    if branch:
        query = query.where(Rank.branch == branch)
    if category:
        query = query.where(Rank.category == category)
    if not include_inactive:
        query = query.where(Rank.is_active)
    return [RankOut.model_validate(r) for r in await session.scalars(query)]


@router.get("/ranks/{rank_id}", response_model=RankOut, responses=errors(404))
async def get_rank(rank_id: UUID, actor: Reader, session: SessionDep) -> RankOut:
    """Return one rank."""
    rank = await session.get(Rank, rank_id)
    if rank is None:
        raise NotFound("rank_not_found", "Rank not found")
    return RankOut.model_validate(rank)
