"""Configurable option tables: member types and statuses, visit types, badge statuses (§1.9).

Codes are what other tables store, so a code never changes once created; an option still
in use, or seeded by the system, cannot be deleted (409). Badge status codes are fixed: the
scan path knows exactly those five.
"""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlalchemy import select

from api.deps import Actor, SessionDep, require_level
from api.schemas.common import errors
from api.schemas.reference import OptionCreate, OptionKind, OptionOut, OptionUpdate
from api.services.audit import record_change, snapshot
from api.services.db import flush_or_conflict
from shared.db.models import (
    BadgeStatusOption,
    MemberStatusOption,
    MemberTypeOption,
    VisitTypeOption,
)
from shared.domain.auth import Level, Scope
from shared.errors import Conflict, NotFound
from shared.store.members import usage_count

router = APIRouter(prefix="/api/options", tags=["reference"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.REFERENCE_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.SETTINGS_WRITE))]

Model = (
    type[MemberTypeOption]
    | type[MemberStatusOption]
    | type[VisitTypeOption]
    | type[BadgeStatusOption]
)
TABLES: dict[OptionKind, tuple[Model, str, str]] = {
    OptionKind.MEMBER_TYPES: (MemberTypeOption, "members", "member_type"),
    OptionKind.MEMBER_STATUSES: (MemberStatusOption, "members", "status"),
    OptionKind.VISIT_TYPES: (VisitTypeOption, "visitors", "visit_type"),
    OptionKind.BADGE_STATUSES: (BadgeStatusOption, "badges", "status"),
}
FIELDS = ("code", "name", "description", "chip_variant", "chip_color", "display_order")


async def _out(session: SessionDep, kind: OptionKind, row: object) -> OptionOut:
    _, table, column = TABLES[kind]
    out = OptionOut.model_validate(row)
    out.usage = await usage_count(session, table, column, out.code)
    return out


async def _get(
    session: SessionDep, kind: OptionKind, option_id: UUID, *, lock: bool = False
) -> Any:
    model = TABLES[kind][0]
    row = await session.get(model, option_id, with_for_update=lock)
    if row is None:
        raise NotFound("option_not_found", "Option not found")
    return row


@router.get("/{kind}", response_model=list[OptionOut], responses=errors(422))
async def list_options(kind: OptionKind, actor: Reader, session: SessionDep) -> list[OptionOut]:
    """List one option table with how many records use each option."""
    model = TABLES[kind][0]
    rows = await session.scalars(select(model).order_by(model.display_order, model.code))
    return [await _out(session, kind, r) for r in rows]


@router.post("/{kind}", response_model=OptionOut, status_code=201, responses=errors(409, 422))
async def create_option(
    kind: OptionKind, body: OptionCreate, actor: Writer, session: SessionDep
) -> OptionOut:
    """Add an option (Admin); badge statuses are fixed."""
    if kind is OptionKind.BADGE_STATUSES:
        raise Conflict("option_codes_fixed", "Badge status codes are fixed; edit their names")
    model = TABLES[kind][0]
    values = body.model_dump()
    if kind is not OptionKind.MEMBER_STATUSES:
        values.pop("is_hidden")
    row = model(**values)
    session.add(row)
    await flush_or_conflict(session, "option_code_taken", "An option has this code")
    await session.refresh(row)
    await record_change(
        session, actor, "option_create", kind.value, row.id, after=snapshot(row, FIELDS)
    )
    return await _out(session, kind, row)


@router.patch("/{kind}/{option_id}", response_model=OptionOut, responses=errors(404, 422))
async def update_option(
    kind: OptionKind, option_id: UUID, body: OptionUpdate, actor: Writer, session: SessionDep
) -> OptionOut:
    """Change an option's display copy (Admin)."""
    row = await _get(session, kind, option_id, lock=True)
    before = snapshot(row, FIELDS)
    for field, value in body.model_dump(exclude_unset=True).items():
        if field == "is_hidden" and kind is not OptionKind.MEMBER_STATUSES:
            continue
        if value is None and field != "description":
            continue
        setattr(row, field, value)
    await session.flush()
    await record_change(
        session,
        actor,
        "option_update",
        kind.value,
        option_id,
        before=before,
        after=snapshot(row, FIELDS),
    )
    return await _out(session, kind, row)


@router.delete("/{kind}/{option_id}", status_code=204, responses=errors(404, 409, 422))
async def delete_option(
    kind: OptionKind, option_id: UUID, actor: Writer, session: SessionDep
) -> None:
    """Delete an option nobody uses (Admin); seeded options stay."""
    row = await _get(session, kind, option_id, lock=True)
    if row.is_system:
        raise Conflict("option_protected", "Seeded options cannot be deleted")
    _, table, column = TABLES[kind]
    used = await usage_count(session, table, column, row.code)
    if used:
        raise Conflict("option_in_use", f"In use by {used} records", {"usage": used})
    before = snapshot(row, FIELDS)
    await session.delete(row)
    await record_change(session, actor, "option_delete", kind.value, option_id, before=before)
