"""`GET /api/presence`: the presence summary and the present list (domain.md §3)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import Actor, ClockDep, SessionDep, require_level
from api.schemas.presence import DivisionCount, PresenceResponse, PresentPerson
from shared.domain.auth import Level, Scope
from shared.store import presence

router = APIRouter(prefix="/api", tags=["presence"])


@router.get("/presence", response_model=PresenceResponse)
async def get_presence(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.PRESENCE_READ))],
) -> PresenceResponse:
    """Return who is in the building now."""
    summary = await presence.presence_summary(session, now=clock.now())
    people = await presence.present_members(session)
    return PresenceResponse(
        total_present=summary.total_present,
        total_members=summary.total_members,
        visitors_present=summary.visitors_present,
        by_division=[
            DivisionCount.model_validate(d, from_attributes=True) for d in summary.by_division
        ],
        present=[PresentPerson.model_validate(p, from_attributes=True) for p in people],
        updated_at=summary.updated_at,
    )
