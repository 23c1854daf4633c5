"""Bodies of the reference-data endpoints: divisions, ranks, option tables, tags, qualifications."""

import json
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from api.schemas.common import Body, Out

OPTION_CODE = r"^[a-z0-9_]{1,50}$"
CHIP = r"^[a-z]{1,20}$"


class DivisionOut(Out):
    """A division."""

    id: UUID
    code: str
    name: str
    description: str | None
    created_at: datetime


class DivisionCreate(Body):
    """A new division; the code is stored upper case."""

    code: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,20}$")
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class DivisionUpdate(Body):
    """Division fields to change."""

    code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_\-]{1,20}$")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("code")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class RankOut(Out):
    """A rank; `display_order` is its seniority within the branch (1 = most junior)."""

    id: UUID
    code: str
    name: str
    branch: str
    category: str
    display_order: int
    is_active: bool
    replaced_by_id: UUID | None


class OptionKind(StrEnum):
    """The configurable option tables."""

    MEMBER_TYPES = "member-types"
    MEMBER_STATUSES = "member-statuses"
    VISIT_TYPES = "visit-types"
    BADGE_STATUSES = "badge-statuses"


class OptionOut(Out):
    """One option (code with its display copy)."""

    id: UUID
    code: str
    name: str
    description: str | None
    chip_variant: str
    chip_color: str
    display_order: int
    is_system: bool
    is_hidden: bool = False
    usage: int = 0


class OptionCreate(Body):
    """A new option."""

    code: str = Field(pattern=OPTION_CODE)
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    chip_variant: str = Field(default="solid", pattern=CHIP)
    chip_color: str = Field(default="default", pattern=CHIP)
    display_order: int = Field(default=0, ge=0, le=10_000)
    is_hidden: bool = False


class OptionUpdate(Body):
    """Option fields to change (the code is fixed once created)."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    chip_variant: str | None = Field(default=None, pattern=CHIP)
    chip_color: str | None = Field(default=None, pattern=CHIP)
    display_order: int | None = Field(default=None, ge=0, le=10_000)
    is_hidden: bool | None = None


class TagOut(Out):
    """A tag."""

    id: UUID
    name: str
    description: str | None
    display_order: int
    chip_variant: str
    chip_color: str
    is_positional: bool


class TagCreate(Body):
    """A new tag."""

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    display_order: int = Field(default=0, ge=0, le=10_000)
    chip_variant: str = Field(default="solid", pattern=CHIP)
    chip_color: str = Field(default="default", pattern=CHIP)
    is_positional: bool = False


class TagUpdate(Body):
    """Tag fields to change."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    display_order: int | None = Field(default=None, ge=0, le=10_000)
    chip_variant: str | None = Field(default=None, pattern=CHIP)
    chip_color: str | None = Field(default=None, pattern=CHIP)
    is_positional: bool | None = None


class QualificationTypeOut(Out):
    """A qualification type."""

    id: UUID
    code: str
    name: str
    description: str | None
    can_receive_lockup: bool
    is_automatic: bool
    display_order: int
    tag_id: UUID | None


class QualificationTypeCreate(Body):
    """A new qualification type."""

    code: str = Field(pattern=r"^[A-Z0-9_]{1,50}$")
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    can_receive_lockup: bool = True
    is_automatic: bool = False
    display_order: int = Field(default=0, ge=0, le=10_000)
    tag_id: UUID | None = None


class QualificationTypeUpdate(Body):
    """Qualification type fields to change (the code is fixed)."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    can_receive_lockup: bool | None = None
    is_automatic: bool | None = None
    display_order: int | None = Field(default=None, ge=0, le=10_000)
    tag_id: UUID | None = None


class MemberQualificationOut(Out):
    """A member's qualification; `is_active` applies the expiry."""

    id: UUID
    member_id: UUID
    qualification_type_id: UUID
    code: str
    name: str
    status: str
    is_active: bool
    granted_at: datetime
    granted_by: UUID | None
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: UUID | None
    revoke_reason: str | None
    notes: str | None


class GrantQualification(Body):
    """Grant (or re-activate) a qualification."""

    qualification_type_id: UUID
    expires_at: AwareDatetime | None = None
    notes: str | None = Field(default=None, max_length=2000)


class RevokeQualification(Body):
    """Revoke a qualification, with a reason."""

    reason: str = Field(min_length=1, max_length=500)


class SettingOut(Out):
    """A setting."""

    key: str
    value: Any
    category: str
    description: str | None
    updated_at: datetime
    updated_by: UUID | None


class SettingCategory(StrEnum):
    """Setting categories (domain.md §1.6)."""

    SYSTEM = "system"
    FEATURE_FLAGS = "feature_flags"
    APP_CONFIG = "app_config"
    NOTIFICATIONS = "notifications"
    SECURITY = "security"
    INTEGRATIONS = "integrations"
    OPERATIONS = "operations"


class SettingWrite(Body):
    """A setting's value (any JSON) and metadata."""

    value: Any
    category: SettingCategory = SettingCategory.SYSTEM
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("value")
    @classmethod
    def _finite_json(cls, value: Any) -> Any:
        # PostgreSQL's jsonb has no NaN/Infinity, which Python's JSON parser accepts.
        json.dumps(value, allow_nan=False)
        return value
