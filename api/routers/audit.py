"""The audit log: every state change with actor and before/after, queryable (Admin)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime
from sqlalchemy import func, select

from api.deps import Actor, SessionDep, require_level
from api.schemas.audit import AuditOut
from api.schemas.common import Page, PagingDep, errors
from shared.db.models import AuditLog
from shared.domain.auth import Level, Scope
from shared.errors import NotFound

router = APIRouter(prefix="/api/audit-log", tags=["audit"])
Reader = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.AUDIT_READ))]


@router.get("", response_model=Page[AuditOut], responses=errors(422))
async def list_audit(
    actor: Reader,
    session: SessionDep,
    paging: PagingDep,
    action: Annotated[str | None, Query(max_length=100)] = None,
    entity_type: Annotated[str | None, Query(max_length=50)] = None,
    entity_id: Annotated[str | None, Query(max_length=100)] = None,
    actor_id: UUID | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> Page[AuditOut]:
    """Audit entries, newest first, filtered by action, entity, actor or time."""
    conditions = []
    if action:
        conditions.append(AuditLog.action == action)
    if entity_type:
        conditions.append(AuditLog.entity_type == entity_type)
    if entity_id:
        conditions.append(AuditLog.entity_id == entity_id)
    if actor_id:
        conditions.append(AuditLog.actor_id == actor_id)
    if since:
        conditions.append(AuditLog.created_at >= since)
    if until:
        conditions.append(AuditLog.created_at < until)
    total = await session.scalar(select(func.count()).select_from(AuditLog).where(*conditions))
    rows = await session.scalars(
        select(AuditLog)
        .where(*conditions)
        .order_by(AuditLog.created_at.desc(), AuditLog.id)
        .limit(paging.page_size)
        .offset(paging.offset)
    )
    return Page[AuditOut](
        items=[AuditOut.model_validate(r) for r in rows],
        total=int(total or 0),
        page=paging.page,
        page_size=paging.page_size,
    )


@router.get("/{entry_id}", response_model=AuditOut, responses=errors(404))
async def get_audit(entry_id: UUID, actor: Reader, session: SessionDep) -> AuditOut:
    """Return one audit entry."""
    row = await session.get(AuditLog, entry_id)
    if row is None:
        raise NotFound("audit_entry_not_found", "Audit entry not found")
    return AuditOut.model_validate(row)
