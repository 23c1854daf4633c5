"""A member's qualifications: list, grant (or re-activate) and revoke (domain.md §1.2).

Lockup semantics and the automatic rules belong to building operations (issue 6); this module
only keeps the records.
"""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlalchemy import select

from api.deps import Actor, ClockDep, SessionDep, require_level
from api.schemas.common import errors
from api.schemas.reference import (
    GrantQualification,
    MemberQualificationOut,
    RevokeQualification,
)
from api.services.audit import record_change
from api.services.members import get_member
from shared.db.models import MemberQualification, QualificationType
from shared.domain.auth import Level, Scope
from shared.errors import Conflict, InvalidInput, NotFound
from shared.services import auto_qualifications

router = APIRouter(prefix="/api/members/{member_id}/qualifications", tags=["members"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.MEMBERS_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.MEMBERS_WRITE))]


def _is_active(row: MemberQualification, now: datetime) -> bool:
    return row.status == "active" and (row.expires_at is None or row.expires_at > now)


def _out(row: MemberQualification, qt: QualificationType, now: datetime) -> MemberQualificationOut:
    data: dict[str, Any] = {
        c: getattr(row, c)
        for c in (
            "id",
            "member_id",
            "qualification_type_id",
            "status",
            "granted_at",
            "granted_by",
            "expires_at",
            "revoked_at",
            "revoked_by",
            "revoke_reason",
            "notes",
        )
    }
    return MemberQualificationOut(
        **data, code=qt.code, name=qt.name, is_active=_is_active(row, now)
    )


@router.get("", response_model=list[MemberQualificationOut], responses=errors(404))
async def list_qualifications(
    member_id: UUID, actor: Reader, session: SessionDep, clock: ClockDep
) -> list[MemberQualificationOut]:
    """List a member's qualifications, active or not."""
    await get_member(session, member_id)
    rows = await session.execute(
        select(MemberQualification, QualificationType)
        .join(QualificationType, QualificationType.id == MemberQualification.qualification_type_id)
        .where(MemberQualification.member_id == member_id)
        .order_by(QualificationType.display_order, QualificationType.code)
    )
    now = clock.now()
    return [_out(mq, qt, now) for mq, qt in rows.all()]


@router.post(
    "", response_model=MemberQualificationOut, status_code=201, responses=errors(404, 409, 422)
)
async def grant_qualification(
    member_id: UUID, body: GrantQualification, actor: Writer, session: SessionDep, clock: ClockDep
) -> MemberQualificationOut:
    """Grant a qualification; a revoked or expired one is re-activated (Admin)."""
    now = clock.now()
    await get_member(session, member_id)
    qt = await session.get(QualificationType, body.qualification_type_id)
    if qt is None:
        raise NotFound("qualification_type_not_found", "Qualification type not found")
    if body.expires_at is not None and body.expires_at <= now:
        raise InvalidInput("expiry_in_past", "expires_at must be in the future")
    row = await session.scalar(
        select(MemberQualification)
        .where(
            MemberQualification.member_id == member_id,
            MemberQualification.qualification_type_id == qt.id,
        )
        .with_for_update()
    )
    if row is not None and _is_active(row, now):
        raise Conflict("qualification_already_active", f"The member already holds {qt.code}")
    if row is None:
        row = MemberQualification(member_id=member_id, qualification_type_id=qt.id)
        session.add(row)
    row.status, row.granted_at, row.granted_by = "active", now, actor.member_id
    row.expires_at, row.notes = body.expires_at, body.notes
    row.revoked_at = row.revoked_by = row.revoke_reason = None
    await session.flush()
    await record_change(
        session,
        actor,
        "qualification_grant",
        "member",
        member_id,
        qualification=qt.code,
        expires_at=body.expires_at,
    )
    if qt.code == "SWK":  # DSWK depends on SWK (issue 6, domain.md §1.9)
        await auto_qualifications.sync_members(
            session, [member_id], now=now, actor_id=actor.member_id
        )
        await session.refresh(row)
    return _out(row, qt, now)


@router.post(
    "/{qualification_id}/revoke",
    response_model=MemberQualificationOut,
    responses=errors(404, 409, 422),
)
async def revoke_qualification(
    member_id: UUID,
    qualification_id: UUID,
    body: RevokeQualification,
    actor: Writer,
    session: SessionDep,
    clock: ClockDep,
) -> MemberQualificationOut:
    """Revoke a member's qualification with a reason (Admin)."""
    now = clock.now()
    row = await session.get(MemberQualification, qualification_id, with_for_update=True)
    if row is None or row.member_id != member_id:
        raise NotFound("qualification_not_found", "The member has no such qualification")
    if row.status == "revoked":
        raise Conflict("qualification_already_revoked", "Already revoked")
    qt = await session.get(QualificationType, row.qualification_type_id)
    assert qt is not None  # FK
    row.status, row.revoked_at, row.revoked_by, row.revoke_reason = (
        "revoked",
        now,
        actor.member_id,
        body.reason,
    )
    await session.flush()
    await record_change(
        session,
        actor,
        "qualification_revoke",
        "member",
        member_id,
        qualification=qt.code,
        reason=body.reason,
    )
    if qt.code == "SWK":  # DSWK depends on SWK (issue 6, domain.md §1.9)
        await auto_qualifications.sync_members(
            session, [member_id], now=now, actor_id=actor.member_id
        )
        await session.refresh(row)
    return _out(row, qt, now)
