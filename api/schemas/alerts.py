"""Bodies of the alert endpoints (domain.md §4.4)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import Body


class AlertOut(BaseModel):
    """One alert."""

    id: UUID
    alert_type: str
    severity: str
    subject: str
    message: str
    details: dict[str, Any]
    status: str
    source: str
    badge_serial: str | None
    member_id: UUID | None
    acknowledged_by: UUID | None
    acknowledged_at: datetime | None
    acknowledge_note: str | None
    created_at: datetime


class AlertPage(BaseModel):
    """One page of alerts, newest first."""

    items: list[AlertOut]
    total: int


class CloseAlert(Body):
    """An optional note when acknowledging or dismissing."""

    note: str | None = Field(default=None, max_length=500)
