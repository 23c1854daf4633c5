"""Members: list (filter, sort, page), read, create, update, archive, and members' tags."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from api.deps import Actor, ClockDep, SessionDep, require_level
from api.schemas.common import Page, PagingDep, errors
from api.schemas.members import (
    MemberCreate,
    MemberOut,
    MemberSort,
    MemberSource,
    MemberUpdate,
    SortOrder,
    TagRef,
)
from api.schemas.reference import TagOut
from api.services import members as member_service
from api.services.audit import record_change
from shared.db.models import MemberTag, Tag
from shared.domain.auth import Level, Scope
from shared.errors import NotFound
from shared.store import members as member_store

router = APIRouter(prefix="/api/members", tags=["members"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.MEMBERS_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.MEMBERS_WRITE))]


def _sees_everyone(actor: Actor) -> bool:
    """Admins (and keys) see civilian records; others only the nominal roll (§1.2)."""
    return actor.kind == "api_key" or actor.level >= Level.ADMIN


@router.get("", response_model=Page[MemberOut], responses=errors(422))
async def list_members(
    actor: Reader,
    session: SessionDep,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    division_id: UUID | None = None,
    rank: Annotated[str | None, Query(max_length=10)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    member_type: Annotated[str | None, Query(max_length=20)] = None,
    source: MemberSource | None = None,
    tag_id: UUID | None = None,
    qualification: Annotated[str | None, Query(max_length=50)] = None,
    has_badge: bool | None = None,
    include_hidden: bool = False,
    sort: MemberSort = MemberSort.LAST_NAME,
    order: SortOrder = SortOrder.ASC,
) -> Page[MemberOut]:
    """List members; hidden statuses (archived, deployed) only with `include_hidden`."""
    if not _sees_everyone(actor):
        source = MemberSource.NOMINAL_ROLL
    rows, total = await member_store.list_members(
        session,
        member_store.MemberFilter(
            search=q or None,
            division_id=division_id,
            rank=rank,
            status=status,
            member_type=member_type,
            member_source=source.value if source else None,
            tag_id=tag_id,
            qualification=qualification,
            has_badge=has_badge,
            include_hidden=include_hidden,
        ),
        sort=sort.value,
        descending=order is SortOrder.DESC,
        limit=paging.page_size,
        offset=paging.offset,
    )
    return Page[MemberOut](
        items=[MemberOut.model_validate(r) for r in rows],
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )


async def _view(session: SessionDep, member_id: UUID, actor: Actor) -> MemberOut:
    row = await member_store.find_member_view(session, member_id)
    if row is None or (not _sees_everyone(actor) and row["member_source"] != "nominal_roll"):
        raise NotFound("member_not_found", "Member not found")
    return MemberOut.model_validate(row)


@router.get("/{member_id}", response_model=MemberOut, responses=errors(404))
async def get_member(member_id: UUID, actor: Reader, session: SessionDep) -> MemberOut:
    """Return one member."""
    return await _view(session, member_id, actor)


@router.post("", response_model=MemberOut, status_code=201, responses=errors(409, 422))
async def create_member(
    body: MemberCreate, actor: Writer, session: SessionDep, clock: ClockDep
) -> MemberOut:
    """Create a member (Admin); the account level may not exceed the caller's."""
    member = await member_service.create_member(session, actor, body, now=clock.now())
    return await _view(session, member.id, actor)


@router.patch("/{member_id}", response_model=MemberOut, responses=errors(404, 409, 422))
async def update_member(
    member_id: UUID, body: MemberUpdate, actor: Writer, session: SessionDep, clock: ClockDep
) -> MemberOut:
    """Change a member (Admin)."""
    await member_service.update_member(session, actor, member_id, body, now=clock.now())
    return await _view(session, member_id, actor)


@router.delete("/{member_id}", status_code=204, responses=errors(404, 409))
async def archive_member(
    member_id: UUID, actor: Writer, session: SessionDep, clock: ClockDep
) -> None:
    """Archive a member (soft delete; Admin)."""
    await member_service.archive_member(session, actor, member_id, now=clock.now())


@router.get("/{member_id}/tags", response_model=list[TagOut], responses=errors(404))
async def list_member_tags(member_id: UUID, actor: Reader, session: SessionDep) -> list[TagOut]:
    """Return a member's tags."""
    await _view(session, member_id, actor)
    rows = await session.scalars(
        select(Tag)
        .join(MemberTag, MemberTag.tag_id == Tag.id)
        .where(MemberTag.member_id == member_id)
        .order_by(Tag.display_order, Tag.name)
    )
    return [TagOut.model_validate(t) for t in rows]


@router.post("/{member_id}/tags", response_model=list[TagOut], responses=errors(404))
async def add_member_tag(
    member_id: UUID, body: TagRef, actor: Writer, session: SessionDep
) -> list[TagOut]:
    """Add a tag to a member (idempotent; Admin)."""
    await member_service.get_member(session, member_id)
    if await session.get(Tag, body.tag_id) is None:
        raise NotFound("tag_not_found", "Tag not found")
    await session.execute(
        insert(MemberTag).values(member_id=member_id, tag_id=body.tag_id).on_conflict_do_nothing()
    )
    await record_change(session, actor, "member_tag_add", "member", member_id, tag_id=body.tag_id)
    return await list_member_tags(member_id, actor, session)


@router.delete("/{member_id}/tags/{tag_id}", status_code=204, responses=errors(404))
async def remove_member_tag(
    member_id: UUID, tag_id: UUID, actor: Writer, session: SessionDep
) -> None:
    """Remove a tag from a member (Admin)."""
    result = await session.execute(
        delete(MemberTag).where(MemberTag.member_id == member_id, MemberTag.tag_id == tag_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("member_tag_not_found", "The member does not have this tag")
    await record_change(session, actor, "member_tag_remove", "member", member_id, tag_id=tag_id)
