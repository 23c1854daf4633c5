"""Audit entries for API changes: actor, action, entity and before/after snapshots."""

from collections.abc import Iterable
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from shared.store import audit as audit_store


def snapshot(row: object, fields: Iterable[str]) -> dict[str, Any]:
    """Return the named attributes of `row` as JSON-ready values."""
    data: dict[str, Any] = jsonable_encoder({f: getattr(row, f) for f in fields})
    return data


async def record_change(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **details: Any,
) -> None:
    """Write one audit entry naming the actor and what changed."""
    body: dict[str, Any] = {"actor_name": actor.display_name, **details}
    if before is not None:
        body["before"] = before
    if after is not None:
        body["after"] = after
    await audit_store.record(
        session,
        [
            audit_store.AuditEntry(
                action=action,
                entity_type=entity_type,
                entity_id=str(entity_id) if entity_id is not None else None,
                actor_type=actor.kind,
                actor_id=actor.actor_id,
                details=jsonable_encoder(body),
            )
        ],
    )
