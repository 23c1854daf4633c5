"""Tags and qualification types (CRUD) (domain.md §1.2, §12.10)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlalchemy import func, select

from api.deps import Actor, SessionDep, require_level
from api.schemas.common import errors
from api.schemas.reference import (
    QualificationTypeCreate,
    QualificationTypeOut,
    QualificationTypeUpdate,
    TagCreate,
    TagOut,
    TagUpdate,
)
from api.services.audit import record_change, snapshot
from api.services.db import flush_or_conflict
from shared.db.models import MemberQualification, QualificationType, Tag
from shared.domain.auth import Level, Scope
from shared.errors import Conflict, NotFound

router = APIRouter(prefix="/api", tags=["reference"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.REFERENCE_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.MEMBERS_WRITE))]
TAG_FIELDS = ("name", "description", "display_order", "chip_variant", "chip_color", "is_positional")
QT_FIELDS = (
    "code",
    "name",
    "description",
    "can_receive_lockup",
    "is_automatic",
    "display_order",
    "tag_id",
)
NULLABLE = {"description", "tag_id"}


@router.get("/tags", response_model=list[TagOut], responses=errors())
async def list_tags(actor: Reader, session: SessionDep) -> list[TagOut]:
    """List tags in display order."""
    rows = await session.scalars(select(Tag).order_by(Tag.display_order, Tag.name))
    return [TagOut.model_validate(t) for t in rows]


@router.post("/tags", response_model=TagOut, status_code=201, responses=errors(409, 422))
async def create_tag(body: TagCreate, actor: Writer, session: SessionDep) -> TagOut:
    """Create a tag (Admin)."""
    tag = Tag(**body.model_dump())
    session.add(tag)
    await flush_or_conflict(session, "tag_name_taken", "A tag has this name")
    await session.refresh(tag)
    await record_change(
        session, actor, "tag_create", "tag", tag.id, after=snapshot(tag, TAG_FIELDS)
    )
    return TagOut.model_validate(tag)


@router.patch("/tags/{tag_id}", response_model=TagOut, responses=errors(404, 409, 422))
async def update_tag(tag_id: UUID, body: TagUpdate, actor: Writer, session: SessionDep) -> TagOut:
    """Change a tag (Admin)."""
    tag = await session.get(Tag, tag_id, with_for_update=True)
    if tag is None:
        raise NotFound("tag_not_found", "Tag not found")
    before = snapshot(tag, TAG_FIELDS)
    for field, value in body.model_dump(exclude_unset=True).items():
        if value is not None or field in NULLABLE:
            setattr(tag, field, value)
    await flush_or_conflict(session, "tag_name_taken", "A tag has this name")
    await session.refresh(tag)
    await record_change(
        session, actor, "tag_update", "tag", tag_id, before=before, after=snapshot(tag, TAG_FIELDS)
    )
    return TagOut.model_validate(tag)


@router.delete("/tags/{tag_id}", status_code=204, responses=errors(404))
async def delete_tag(tag_id: UUID, actor: Writer, session: SessionDep) -> None:
    """Delete a tag; it disappears from members and qualification types (Admin)."""
    tag = await session.get(Tag, tag_id, with_for_update=True)
    if tag is None:
        raise NotFound("tag_not_found", "Tag not found")
    before = snapshot(tag, TAG_FIELDS)
    await session.delete(tag)
    await record_change(session, actor, "tag_delete", "tag", tag_id, before=before)


@router.get("/qualification-types", response_model=list[QualificationTypeOut], responses=errors())
async def list_qualification_types(
    actor: Reader, session: SessionDep
) -> list[QualificationTypeOut]:
    """List qualification types in display order."""
    rows = await session.scalars(
        select(QualificationType).order_by(QualificationType.display_order, QualificationType.code)
    )
    return [QualificationTypeOut.model_validate(q) for q in rows]


async def _check_tag(session: SessionDep, tag_id: UUID | None) -> None:
    if tag_id is not None and await session.get(Tag, tag_id) is None:
        raise NotFound("tag_not_found", "Tag not found")


@router.post(
    "/qualification-types",
    response_model=QualificationTypeOut,
    status_code=201,
    responses=errors(404, 409, 422),
)
async def create_qualification_type(
    body: QualificationTypeCreate, actor: Writer, session: SessionDep
) -> QualificationTypeOut:
    """Create a qualification type (Admin)."""
    await _check_tag(session, body.tag_id)
    row = QualificationType(**body.model_dump())
    session.add(row)
    await flush_or_conflict(session, "qualification_code_taken", "A qualification has this code")
    await session.refresh(row)
    await record_change(
        session,
        actor,
        "qualification_type_create",
        "qualification_type",
        row.id,
        after=snapshot(row, QT_FIELDS),
    )
    return QualificationTypeOut.model_validate(row)


@router.patch(
    "/qualification-types/{type_id}",
    response_model=QualificationTypeOut,
    responses=errors(404, 422),
)
async def update_qualification_type(
    type_id: UUID, body: QualificationTypeUpdate, actor: Writer, session: SessionDep
) -> QualificationTypeOut:
    """Change a qualification type (Admin)."""
    row = await session.get(QualificationType, type_id, with_for_update=True)
    if row is None:
        raise NotFound("qualification_type_not_found", "Qualification type not found")
    changes = body.model_dump(exclude_unset=True)
    await _check_tag(session, changes.get("tag_id"))
    before = snapshot(row, QT_FIELDS)
    for field, value in changes.items():
        if value is not None or field in NULLABLE:
            setattr(row, field, value)
    await session.flush()
    await record_change(
        session,
        actor,
        "qualification_type_update",
        "qualification_type",
        type_id,
        before=before,
        after=snapshot(row, QT_FIELDS),
    )
    return QualificationTypeOut.model_validate(row)


@router.delete("/qualification-types/{type_id}", status_code=204, responses=errors(404, 409))
async def delete_qualification_type(type_id: UUID, actor: Writer, session: SessionDep) -> None:
    """Delete a qualification type nobody holds (Admin)."""
    row = await session.get(QualificationType, type_id, with_for_update=True)
    if row is None:
        raise NotFound("qualification_type_not_found", "Qualification type not found")
    held = await session.scalar(
        select(func.count())
        .select_from(MemberQualification)
        .where(MemberQualification.qualification_type_id == type_id)
    )
    if held:
        raise Conflict(
            "qualification_type_in_use", f"Granted to {held} members", {"usage": int(held)}
        )
    before = snapshot(row, QT_FIELDS)
    await session.delete(row)
    await record_change(
        session, actor, "qualification_type_delete", "qualification_type", type_id, before=before
    )
