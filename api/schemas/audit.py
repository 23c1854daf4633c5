"""Bodies of the audit log endpoints."""

from datetime import datetime
from typing import Any
from uuid import UUID

from api.schemas.common import Out


class AuditOut(Out):
    """One audit entry."""

    id: UUID
    action: str
    entity_type: str
    entity_id: str | None
    actor_type: str
    actor_id: UUID | None
    details: dict[str, Any]
    correlation_id: str | None
    created_at: datetime
