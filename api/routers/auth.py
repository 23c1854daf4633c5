"""Sign-in with badge + PIN, the caller's session, PIN changes, sessions and API keys (§10)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from api.deps import (
    SESSION_COOKIE,
    Actor,
    ClockDep,
    PinChangeActor,
    SessionDep,
    StateDep,
    require_level,
)
from api.schemas.auth import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyOut,
    ChangePinRequest,
    CurrentSession,
    EndAllRequest,
    Ended,
    LoginRequest,
    LoginResponse,
    SessionMember,
    SessionOut,
    SetPinRequest,
    TemporaryPin,
)
from api.schemas.common import errors
from api.services import auth as auth_service
from api.services.audit import record_change
from shared.db.models import ApiKey, MemberSession
from shared.domain.auth import Level
from shared.errors import Conflict, InvalidInput, NotFound
from shared.store import api_keys, sessions

router = APIRouter(prefix="/api/auth", tags=["auth"])
Admin = Annotated[Actor, Depends(require_level(Level.ADMIN))]


@router.post(
    "/login",
    response_model=LoginResponse,
    responses={**errors(429), 401: errors()[401]},
)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
) -> LoginResponse:
    """Sign in with badge serial + PIN; sets the `sentinel-session` cookie (7 days)."""
    outcome = await auth_service.login(
        session,
        state.sessionmaker,
        state.settings,
        serial_number=body.serial_number,
        pin=body.pin,
        ip_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        now=clock.now(),
    )
    await record_change(
        session,
        Actor(
            outcome.member.id, outcome.member.account_level, "member", outcome.member.display_name
        ),
        "login",
        "member_session",
        outcome.session.id,
        ip_address=request.client.host if request.client else None,
    )
    response.set_cookie(
        SESSION_COOKIE,
        outcome.session.token,
        max_age=state.settings.session_ttl_s,
        httponly=True,
        samesite="lax",
        secure=state.settings.session_cookie_secure,
    )
    return LoginResponse(
        token=outcome.session.token,
        expires_at=outcome.session.expires_at,
        member=SessionMember.model_validate(outcome.member),
    )


@router.post("/logout", status_code=204, responses=errors(409))
async def logout(
    actor: PinChangeActor, session: SessionDep, clock: ClockDep, response: Response
) -> None:
    """End the caller's session."""
    if actor.session_id is None:
        raise Conflict("not_a_session", "API keys are revoked, not logged out")
    await sessions.end_session(session, actor.session_id, reason="logout", now=clock.now())
    await record_change(session, actor, "logout", "member_session", actor.session_id)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/session", response_model=CurrentSession, responses=errors())
async def current_session(actor: PinChangeActor, session: SessionDep) -> CurrentSession:
    """Return who the caller is (works while a temporary PIN awaits its change)."""
    expires_at = None
    if actor.session_id is not None:
        expires_at = await session.scalar(
            select(MemberSession.expires_at).where(MemberSession.id == actor.session_id)
        )
    return CurrentSession(
        kind=actor.kind,
        member_id=actor.member_id,
        display_name=actor.display_name,
        level=actor.level,
        scopes=sorted(actor.scopes),
        must_change_pin=actor.must_change_pin,
        session_id=actor.session_id,
        expires_at=expires_at,
    )


@router.post("/change-pin", status_code=204, responses=errors(409, 422))
async def change_pin(
    body: ChangePinRequest, actor: PinChangeActor, session: SessionDep, clock: ClockDep
) -> None:
    """Change the caller's PIN (the current PIN is needed unless it is a temporary one)."""
    if actor.member_id is None:
        raise Conflict("not_a_member", "API keys have no PIN")
    await auth_service.change_pin(
        session,
        actor.member_id,
        current_pin=body.current_pin,
        new_pin=body.new_pin,
        keep_session=actor.session_id,
        now=clock.now(),
    )
    await record_change(session, actor, "pin_change", "member", actor.member_id)


@router.post("/set-pin", response_model=TemporaryPin, responses=errors(404, 409, 422))
async def set_pin(
    body: SetPinRequest, actor: Admin, session: SessionDep, clock: ClockDep
) -> TemporaryPin:
    """Give a member a temporary PIN (Admin); they must change it when they sign in."""
    pin = await auth_service.set_temporary_pin(
        session,
        body.member_id,
        pin=body.pin,
        actor_id=actor.member_id,
        actor_level=actor.level,
        now=clock.now(),
    )
    await record_change(session, actor, "pin_reset", "member", body.member_id)
    return TemporaryPin(member_id=body.member_id, temporary_pin=pin)


@router.get("/sessions", response_model=list[SessionOut], responses=errors())
async def list_sessions(
    actor: Admin,
    session: SessionDep,
    clock: ClockDep,
    member_id: UUID | None = None,
    active_only: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[SessionOut]:
    """List sessions, newest first (Admin)."""
    query = select(MemberSession).order_by(MemberSession.created_at.desc()).limit(limit)
    if member_id is not None:
        query = query.where(MemberSession.member_id == member_id)
    if active_only:
        query = query.where(
            MemberSession.ended_at.is_(None), MemberSession.expires_at > clock.now()
        )
    rows = (await session.scalars(query)).all()
    return [SessionOut.model_validate(r) for r in rows]


@router.delete("/sessions/{session_id}", status_code=204, responses=errors(404))
async def revoke_session(
    session_id: UUID, actor: Admin, session: SessionDep, clock: ClockDep
) -> None:
    """End one session (Admin)."""
    if not await sessions.end_session(session, session_id, reason="revoked", now=clock.now()):
        raise NotFound("session_not_found", "No open session with this id")
    await record_change(session, actor, "session_revoke", "member_session", session_id)


@router.post("/sessions/end-all", response_model=Ended, responses=errors(422))
async def end_all(body: EndAllRequest, actor: Admin, session: SessionDep, clock: ClockDep) -> Ended:
    """End every open session, the caller's included (Admin)."""
    count = await sessions.end_all_sessions(session, reason=body.reason, now=clock.now())
    await record_change(session, actor, "sessions_end_all", "member_session", None, ended=count)
    return Ended(ended=count)


@router.get("/api-keys", response_model=list[ApiKeyOut], responses=errors())
async def list_api_keys(actor: Admin, session: SessionDep) -> list[ApiKeyOut]:
    """List API keys (Admin)."""
    rows = (await session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc()))).all()
    return [ApiKeyOut.model_validate(r) for r in rows]


@router.post("/api-keys", response_model=ApiKeyIssued, status_code=201, responses=errors(422))
async def create_api_key(
    body: ApiKeyCreate, actor: Admin, session: SessionDep, clock: ClockDep
) -> ApiKeyIssued:
    """Issue a scoped API key (Admin); the secret is shown only in this response."""
    if body.expires_at is not None and body.expires_at <= clock.now():
        raise InvalidInput("expiry_in_past", "expires_at must be in the future")
    issued = await api_keys.issue_key(
        session,
        name=body.name,
        scopes=[s.value for s in body.scopes],
        expires_at=body.expires_at,
        created_by=actor.member_id,
    )
    await record_change(
        session, actor, "api_key_create", "api_key", issued.row.id, scopes=issued.row.scopes
    )
    return ApiKeyIssued.model_validate(
        {**ApiKeyOut.model_validate(issued.row).model_dump(), "key": issued.key}
    )


@router.delete("/api-keys/{key_id}", status_code=204, responses=errors(404))
async def revoke_api_key(key_id: UUID, actor: Admin, session: SessionDep, clock: ClockDep) -> None:
    """Revoke an API key (Admin)."""
    row = await session.get(ApiKey, key_id, with_for_update=True)
    if row is None or row.revoked_at is not None:
        raise NotFound("api_key_not_found", "No live API key with this id")
    row.revoked_at = clock.now()
    await record_change(session, actor, "api_key_revoke", "api_key", key_id)
