"""Bodies of the member endpoints."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field, field_validator

from api.schemas.common import Body, Out

SERVICE_NUMBER = r"^[A-Za-z0-9\-]{6,20}$"
CODE = r"^[a-z0-9_]{1,20}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class MemberSource(StrEnum):
    """Where a member record comes from (domain.md §1.2)."""

    NOMINAL_ROLL = "nominal_roll"
    CIVILIAN_MANUAL = "civilian_manual"


class MemberSort(StrEnum):
    """Sort keys of the member list; `rank` sorts by seniority."""

    LAST_NAME = "last_name"
    DISPLAY_NAME = "display_name"
    RANK = "rank"
    SERVICE_NUMBER = "service_number"
    DIVISION = "division"
    STATUS = "status"
    CREATED_AT = "created_at"


class SortOrder(StrEnum):
    """Ascending or descending."""

    ASC = "asc"
    DESC = "desc"


class MemberOut(Out):
    """A member with rank, division and badge."""

    id: UUID
    service_number: str
    rank_id: UUID
    rank: str
    first_name: str
    last_name: str
    initials: str
    display_name: str
    division_id: UUID | None
    division: str | None
    member_type: str
    member_source: str
    status: str
    email: str | None
    mobile_phone: str | None
    home_phone: str | None
    employee_number: str | None
    mess: str | None
    moc: str | None
    class_details: str | None
    account_level: int
    must_change_pin: bool
    has_pin: bool
    missed_checkout_count: int
    last_missed_checkout: datetime | None
    contract_start: date | None
    contract_end: date | None
    notes: str | None
    badge_id: UUID | None
    badge_serial: str | None
    created_at: datetime
    updated_at: datetime


class _MemberFields(Body):
    email: str | None = Field(default=None, max_length=255, pattern=EMAIL)
    mobile_phone: str | None = Field(default=None, max_length=50)
    home_phone: str | None = Field(default=None, max_length=30)
    employee_number: str | None = Field(default=None, max_length=20)
    mess: str | None = Field(default=None, max_length=50)
    moc: str | None = Field(default=None, max_length=100)
    class_details: str | None = Field(default=None, max_length=100)
    contract_start: date | None = None
    contract_end: date | None = None
    notes: str | None = Field(default=None, max_length=5000)


class MemberCreate(_MemberFields):
    """A new member; `rank` is a rank code (case-insensitive)."""

    service_number: str = Field(pattern=SERVICE_NUMBER)
    rank: str = Field(min_length=1, max_length=10)
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    initials: str = Field(default="", max_length=10)
    division_id: UUID
    member_type: str = Field(default="class_a", pattern=CODE)
    member_source: MemberSource = MemberSource.NOMINAL_ROLL
    status: str = Field(default="active", pattern=CODE)
    account_level: int = Field(default=1, ge=1, le=6)

    @field_validator("service_number")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class MemberUpdate(_MemberFields):
    """Fields to change; omitted fields stay as they are."""

    service_number: str | None = Field(default=None, pattern=SERVICE_NUMBER)
    rank: str | None = Field(default=None, min_length=1, max_length=10)
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    initials: str | None = Field(default=None, max_length=10)
    division_id: UUID | None = None
    member_type: str | None = Field(default=None, pattern=CODE)
    member_source: MemberSource | None = None
    status: str | None = Field(default=None, pattern=CODE)
    account_level: int | None = Field(default=None, ge=1, le=6)

    @field_validator("service_number")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class TagRef(Body):
    """A tag to add to a member."""

    tag_id: UUID
