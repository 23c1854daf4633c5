"""Dependencies of the building-operations routes: the policy, the actors and the DDS check.

Lockup and DDS rights come from the rules (qualifications, presence, being the DDS), not from the
account level, so most write routes admit any signed-in member and let the service decide;
reads also admit API keys holding `building:read` (kiosk screens, dashboards).
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor, StateDep, require_level
from shared.domain.auth import Level
from shared.errors import Forbidden
from shared.policy import OperationsPolicy, operations_policy
from shared.services import building_state

BUILDING_READ = "building:read"
ALERTS_READ = "alerts:read"


def get_policy(state: StateDep) -> OperationsPolicy:
    """Return the operations policy built from the app's settings."""
    return operations_policy(state.settings)


PolicyDep = Annotated[OperationsPolicy, Depends(get_policy)]
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=BUILDING_READ))]
Member = Annotated[Actor, Depends(require_level(Level.BASIC))]
Command = Annotated[Actor, Depends(require_level(Level.COMMAND))]
Admin = Annotated[Actor, Depends(require_level(Level.ADMIN))]
AlertReader = Annotated[Actor, Depends(require_level(Level.COMMAND, scope=ALERTS_READ))]


def member_id_of(actor: Actor) -> UUID:
    """The acting member's id; API keys cannot act on lockup or DDS."""
    if actor.member_id is None:
        raise Forbidden("member_required", "Only a signed-in member may do this")
    return actor.member_id


def is_admin(actor: Actor) -> bool:
    """True for members at Admin level or above."""
    return actor.kind == "member" and actor.level >= Level.ADMIN


async def is_current_dds(
    session: AsyncSession, policy: OperationsPolicy, actor: Actor, *, now: datetime
) -> bool:
    """True when the actor is today's current DDS (domain.md §5.6 "current DDS")."""
    if actor.member_id is None:
        return False
    snapshot = await building_state.dds_snapshot(session, on=policy.operational_date(now))
    return snapshot.current.member_id == actor.member_id


async def require_admin_or_dds(
    session: AsyncSession, policy: OperationsPolicy, actor: Actor, *, now: datetime
) -> None:
    """Admin (≥ 5) or the current DDS, as `L5|DDS` routes require (domain.md §12)."""
    if is_admin(actor) or await is_current_dds(session, policy, actor, now=now):
        return
    raise Forbidden("forbidden", "Only an Admin or the current DDS may do this")
