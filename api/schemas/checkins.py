"""Bodies of the check-in history and correction endpoints."""

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, Field

from api.schemas.common import Body, Out
from shared.domain.checkin import Direction


class HistoryItem(Out):
    """A check-in or check-out; visitor rows have ids `v-in-<id>` / `v-out-<id>` (§2.10)."""

    id: str
    kind: str
    member_id: UUID | None
    visitor_id: UUID | None
    display_name: str
    direction: Direction
    at: datetime
    source: str
    method: str
    badge_id: UUID | None


class CheckinOut(Out):
    """A member check-in row."""

    id: UUID
    member_id: UUID | None
    badge_id: UUID | None
    direction: Direction
    at: datetime
    source: str
    method: str
    device_id: str | None


class ManualCheckin(Body):
    """Record a check-in/out by hand; `direction` defaults to the toggle, `at` to now."""

    member_id: UUID
    direction: Direction | None = None
    at: AwareDatetime | None = None
    note: str | None = Field(default=None, max_length=500)


class ManualCheckout(Body):
    """Check a member out who forgot to; counted as a missed check-out (§2.10)."""

    member_id: UUID
    reason: str = Field(min_length=1, max_length=500)


class CheckinEdit(Body):
    """Correct a check-in's direction or time, with the reason."""

    direction: Direction | None = None
    at: AwareDatetime | None = None
    reason: str = Field(min_length=1, max_length=500)
