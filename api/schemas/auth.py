"""Bodies of the authentication, session and API-key endpoints."""

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, Field

from api.schemas.common import Body, Out
from shared.domain.auth import Scope

Pin = str  # validated by shared.domain.auth.check_new_pin so the error code is specific


class LoginRequest(Body):
    """Badge serial and PIN."""

    serial_number: str = Field(min_length=1, max_length=100)
    pin: str = Field(min_length=1, max_length=12)


class SessionMember(Out):
    """The signed-in member."""

    id: UUID
    display_name: str
    account_level: int
    must_change_pin: bool


class LoginResponse(Out):
    """A new session: the token is also set as the `sentinel-session` cookie."""

    token: str
    expires_at: datetime
    member: SessionMember


class CurrentSession(Out):
    """Who the caller is."""

    kind: str
    member_id: UUID | None
    display_name: str
    level: int
    scopes: list[str]
    must_change_pin: bool
    session_id: UUID | None
    expires_at: datetime | None


class ChangePinRequest(Body):
    """A new PIN; the current one is needed unless a temporary PIN is being replaced."""

    current_pin: str | None = Field(default=None, max_length=12)
    new_pin: Pin = Field(min_length=1, max_length=12)


class SetPinRequest(Body):
    """Give a member a temporary PIN (generated when omitted); they must change it at login."""

    member_id: UUID
    pin: Pin | None = Field(default=None, max_length=12)


class TemporaryPin(Out):
    """The temporary PIN, shown once."""

    member_id: UUID
    temporary_pin: str


class SessionOut(Out):
    """A login session."""

    id: UUID
    member_id: UUID
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    ip_address: str | None
    user_agent: str | None


class EndAllRequest(Body):
    """End every open session."""

    reason: str = Field(default="revoked", min_length=1, max_length=30, pattern=r"^[a-z_]+$")


class Ended(Out):
    """How many sessions were ended."""

    ended: int


class ApiKeyCreate(Body):
    """A new API key."""

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    expires_at: AwareDatetime | None = None


class ApiKeyOut(Out):
    """An API key (never its secret)."""

    id: UUID
    name: str
    prefix: str
    scopes: list[str]
    created_by: UUID | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyIssued(ApiKeyOut):
    """A new key with its secret, shown once."""

    key: str
