"""FastAPI dependencies: the request's transaction, the app's resources and who is calling.

`CurrentActor` resolves a member session (cookie `sentinel-session` or `Authorization: Bearer`)
or an API key (`Authorization: Bearer sk_...` or `X-API-Key`). `require_level(n)` guards a route:
401 `unauthorized` without valid credentials, 403 `forbidden` when the level is too low
(domain.md §10.2). API keys carry level 0 and pass only routes that accept one of their scopes.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.state import AppState
from shared.clock import Clock
from shared.errors import Forbidden, Unauthorized
from shared.store import api_keys, sessions

SESSION_COOKIE = "sentinel-session"
TOUCH_EVERY = timedelta(seconds=60)


def get_state(request: Request) -> AppState:
    """Return the app's resources."""
    state: AppState = request.app.state.sentinel
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """Open a transaction that commits when the handler returns and rolls back on error."""
    async with state.sessionmaker.begin() as session:
        yield session


def get_clock(state: StateDep) -> Clock:
    """Return the app's clock."""
    return state.clock


SessionDep = Annotated[AsyncSession, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling: a signed-in member or an API key."""

    member_id: UUID | None
    level: int
    kind: Literal["member", "api_key"]
    display_name: str
    scopes: frozenset[str] = frozenset()
    session_id: UUID | None = None
    api_key_id: UUID | None = None
    must_change_pin: bool = False

    @property
    def actor_id(self) -> UUID | None:
        """The id recorded in the audit log (member id or API key id)."""
        return self.member_id if self.kind == "member" else self.api_key_id


_bearer = HTTPBearer(auto_error=False, description="Session token or API key (`sk_...`)")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Session cookie")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key (`sk_...`)")

BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
CookieDep = Annotated[str | None, Depends(_cookie)]
KeyHeaderDep = Annotated[str | None, Depends(_header)]


def _unauthorized() -> Unauthorized:
    return Unauthorized("unauthorized", "Sign in or present a valid API key")


async def authenticate(
    session: SessionDep,
    clock: ClockDep,
    bearer: BearerDep,
    cookie: CookieDep,
    key_header: KeyHeaderDep,
) -> Actor:
    """Resolve the caller, allowing a member who still has to change a temporary PIN."""
    now = clock.now()
    credential = (bearer.credentials if bearer else None) or key_header or cookie
    if not credential:
        raise _unauthorized()
    if credential.startswith(api_keys.KEY_PREFIX):
        key = await api_keys.find_live_key(session, credential, now=now)
        if key is None:
            raise _unauthorized()
        if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
            await api_keys.touch_key(session, key.id, now=now)
        return Actor(None, 0, "api_key", key.name, frozenset(key.scopes), api_key_id=key.id)
    found = await sessions.find_live_session(session, credential, now=now)
    if found is None:
        raise _unauthorized()
    if found.last_seen_at is None or now - found.last_seen_at > TOUCH_EVERY:
        await sessions.touch_session(session, found.id, now=now)
    return Actor(
        found.member_id,
        found.account_level,
        "member",
        found.display_name,
        session_id=found.id,
        must_change_pin=found.must_change_pin,
    )


async def current_actor(actor: Annotated[Actor, Depends(authenticate)]) -> Actor:
    """Resolve the caller; a member holding a temporary PIN must change it first (§10.3.5)."""
    if actor.must_change_pin:
        raise Forbidden("pin_change_required", "Change your temporary PIN first")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
PinChangeActor = Annotated[Actor, Depends(authenticate)]


def require_level(level: int, *, scope: str | None = None) -> Callable[..., Awaitable[Actor]]:
    """Return a dependency admitting members at `level` or above, and API keys with `scope`."""

    async def dependency(actor: CurrentActor) -> Actor:
        if actor.kind == "api_key":
            if scope is None or scope not in actor.scopes:
                raise Forbidden("forbidden", "This API key may not use this operation")
            return actor
        if actor.level < level:
            raise Forbidden(
                "forbidden", "Your account level does not allow this", {"required_level": level}
            )
        return actor

    dependency.__name__ = f"require_level_{level}_{scope or 'members'}"
    return dependency
