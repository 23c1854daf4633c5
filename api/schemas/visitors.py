"""Bodies of the visitor endpoints."""

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, Field

from api.schemas.common import Body, Out
from shared.domain.visitors import RecruitmentStep, VisitPurpose

CODE = r"^[a-z0-9_]{1,50}$"


class VisitorOut(Out):
    """A visit."""

    id: UUID
    rank_prefix: str | None
    first_name: str
    last_name: str
    display_name: str
    organization: str | None
    unit: str | None
    mobile_phone: str | None
    license_plate: str | None
    visit_type: str
    visit_reason: str | None
    visit_purpose: str | None
    purpose_details: str | None
    recruitment_step: str | None
    host_member_id: UUID | None
    temporary_badge_id: UUID | None
    temporary_badge_serial: str | None
    check_in_at: datetime
    check_out_at: datetime | None
    source: str
    check_in_method: str
    admin_notes: str | None
    created_by: UUID | None


class _VisitorFields(Body):
    rank_prefix: str | None = Field(default=None, max_length=50)
    organization: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=200)
    mobile_phone: str | None = Field(default=None, min_length=7, max_length=25)
    license_plate: str | None = Field(default=None, max_length=20)
    visit_reason: str | None = Field(default=None, max_length=500)
    visit_purpose: VisitPurpose | None = None
    purpose_details: str | None = Field(default=None, max_length=500)
    recruitment_step: RecruitmentStep | None = None
    host_member_id: UUID | None = None
    admin_notes: str | None = Field(default=None, max_length=1000)


class VisitorSignIn(_VisitorFields):
    """Sign a visitor in; `check_in_at` may be backdated; a temporary badge may be lent."""

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    visit_type: str = Field(default="guest", pattern=CODE)
    check_in_at: AwareDatetime | None = None
    temporary_badge_id: UUID | None = None


class VisitorUpdate(_VisitorFields):
    """Correct a visit (Admin)."""

    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    visit_type: str | None = Field(default=None, pattern=CODE)
    check_in_at: AwareDatetime | None = None
    check_out_at: AwareDatetime | None = None


class VisitorCheckout(Body):
    """Sign a visitor out, now or at a given time."""

    at: AwareDatetime | None = None


class LendBadge(Body):
    """A badge to lend to a visitor, by id or serial."""

    badge_id: UUID | None = None
    serial_number: str | None = Field(default=None, max_length=100)
