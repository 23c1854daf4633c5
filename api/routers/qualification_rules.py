"""Qualification rules: `/auto-sync` (all members or one) and the lockup-eligible list.

The records and their CRUD belong to the admin API (`qualifications`, `tags` routers); this
module applies the automatic rules of domain.md §1.9 and answers who may hold lockup (§6.2).
"""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import ClockDep, SessionDep
from api.operations_deps import Admin, PolicyDep, Reader
from api.schemas.common import errors
from api.schemas.lockup import Person
from api.services.audit import record_change
from api.services.members import get_member
from shared.services import auto_qualifications

router = APIRouter(prefix="/api", tags=["qualifications"])


class SyncChange(BaseModel):
    """One automatic grant or revocation."""

    member_id: UUID
    code: str
    action: str
    reason: str | None


class SyncResult(BaseModel):
    """What an auto-sync changed."""

    changes: list[SyncChange]


async def _sync(
    session: SessionDep, actor: Admin, clock: ClockDep, ids: list[UUID] | None
) -> SyncResult:
    changes = await auto_qualifications.sync_members(
        session, ids, now=clock.now(), actor_id=actor.member_id
    )
    if changes:
        await record_change(
            session,
            actor,
            "qualification_auto_sync",
            "member",
            ids[0] if ids else None,
            changes=[f"{c.action} {c.code} {c.member_id}" for c in changes],
        )
    return SyncResult(
        changes=[
            SyncChange(member_id=c.member_id, code=c.code, action=c.action, reason=c.reason)
            for c in changes
        ]
    )


@router.post("/qualifications/auto-sync", response_model=SyncResult, responses=errors())
async def sync_all(actor: Admin, session: SessionDep, clock: ClockDep) -> SyncResult:
    """Apply the APS/BM/QM/DSWK rules to every member (Admin)."""
    return await _sync(session, actor, clock, None)


@router.post(
    "/members/{member_id}/qualifications/auto-sync",
    response_model=SyncResult,
    responses=errors(404),
)
async def sync_one(
    member_id: UUID, actor: Admin, session: SessionDep, clock: ClockDep
) -> SyncResult:
    """Apply the automatic rules to one member (Admin)."""
    await get_member(session, member_id)
    return await _sync(session, actor, clock, [member_id])


@router.get("/qualifications/lockup-eligible", response_model=list[Person], responses=errors())
async def lockup_eligible(
    actor: Reader,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
    checked_in_only: bool = False,
) -> list[Person]:
    """Members holding an active qualification that can receive lockup (DDS, SWK, ...)."""
    rows = await session.execute(
        text(
            "SELECT DISTINCT m.id, m.display_name FROM members m"
            " JOIN member_qualifications q ON q.member_id = m.id"
            " JOIN qualification_types t ON t.id = q.qualification_type_id"
            " LEFT JOIN member_states s ON s.member_id = m.id"
            " WHERE t.can_receive_lockup AND q.status = 'active' AND m.status = 'active'"
            " AND (q.expires_at IS NULL OR q.expires_at > :now)"
            " AND (NOT :present OR s.direction = 'in')"
            " ORDER BY m.display_name"
        ),
        {"now": clock.now(), "present": checked_in_only},
    )
    return [Person(member_id=r.id, display_name=r.display_name) for r in rows]
