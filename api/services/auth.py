"""Login, PIN changes and temporary PINs (domain.md §10.3), with the lockout of §10.6."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.models import Badge, Member
from shared.domain.auth import (
    LockoutPolicy,
    after_failure,
    can_manage_level,
    check_new_pin,
    is_locked,
)
from shared.domain.badges import normalize_serial
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized
from shared.pins import hash_pin, verify_pin
from shared.settings import Settings
from shared.store import sessions, throttles

BADGE, ADDRESS = "badge", "ip"


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """A successful login."""

    member: Member
    session: sessions.NewSession


def _policies(settings: Settings) -> dict[str, LockoutPolicy]:
    lockout = timedelta(seconds=settings.login_lockout_s)
    longest = timedelta(seconds=settings.login_lockout_max_s)
    return {
        BADGE: LockoutPolicy(settings.login_badge_max_failures, lockout, longest),
        ADDRESS: LockoutPolicy(settings.login_ip_max_failures, lockout, longest),
    }


def _invalid() -> Unauthorized:
    # One message for every failure so a caller cannot tell badges from PINs (§10.3 step 1).
    return Unauthorized("invalid_credentials", "Invalid badge or PIN")


async def _refuse_if_locked(
    session: AsyncSession, subjects: dict[str, str], *, now: datetime
) -> None:
    for kind, subject in subjects.items():
        state = await throttles.find_throttle(session, kind, subject)
        if is_locked(state, now=now) and state is not None and state.locked_until is not None:
            wait = int((state.locked_until - now).total_seconds()) + 1
            raise TooManyRequests(
                "too_many_attempts",
                "Too many failed sign-ins; try again later",
                {"retry_after_s": wait},
            )


async def _count_failure(
    sessionmaker: async_sessionmaker[AsyncSession],
    subjects: dict[str, str],
    policies: dict[str, LockoutPolicy],
    *,
    now: datetime,
) -> None:
    """Record the failure in its own transaction: the request's one is rolled back."""
    async with sessionmaker.begin() as own:
        for kind, subject in sorted(subjects.items()):
            state = await throttles.lock_throttle(own, kind, subject)
            await throttles.save_throttle(
                own, kind, subject, after_failure(state, now=now, policy=policies[kind])
            )


async def _member_for_badge(session: AsyncSession, serial: str) -> Member | None:
    row = await session.scalar(
        select(Member)
        .join(Badge, Badge.member_id == Member.id)
        .where(
            Badge.serial_number == serial,
            Badge.status == "active",
            Badge.assignment_type == "member",
            Member.status == "active",
        )
    )
    return row


async def login(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    serial_number: str,
    pin: str,
    ip_address: str | None,
    user_agent: str | None,
    now: datetime,
) -> LoginOutcome:
    """Check badge + PIN under the lockout rules and start a session."""
    serial = normalize_serial(serial_number) or serial_number.strip()
    subjects = {BADGE: serial[:128]}
    if ip_address:
        subjects[ADDRESS] = ip_address
    await _refuse_if_locked(session, subjects, now=now)
    member = await _member_for_badge(session, serial)
    ok = await verify_pin(member.pin_hash if member else None, pin)
    if member is None or not ok:
        await _count_failure(sessionmaker, subjects, _policies(settings), now=now)
        raise _invalid()
    await throttles.clear_throttle(session, BADGE, serial[:128])
    created = await sessions.create_session(
        session,
        member.id,
        now=now,
        ttl=timedelta(seconds=settings.session_ttl_s),
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return LoginOutcome(member, created)


def _refuse_bad_pin(pin: str) -> None:
    problem = check_new_pin(pin)
    if problem is not None:
        message = (
            "A PIN is exactly 4 digits"
            if problem.value == "pin_format"
            else "This PIN is too easy to guess (repeated digits or a run)"
        )
        raise InvalidInput(problem.value, message)


async def change_pin(
    session: AsyncSession,
    member_id: uuid.UUID,
    *,
    current_pin: str | None,
    new_pin: str,
    keep_session: uuid.UUID | None,
    now: datetime,
) -> None:
    """Change a member's own PIN; other sessions of theirs end (§10.3 step 4)."""
    member = await session.get(Member, member_id, with_for_update=True)
    if member is None:
        raise NotFound("member_not_found", "Member not found")
    if not member.must_change_pin and (
        current_pin is None or not await verify_pin(member.pin_hash, current_pin)
    ):
        raise Forbidden("pin_incorrect", "The current PIN is not correct")
    _refuse_bad_pin(new_pin)
    if await verify_pin(member.pin_hash, new_pin):
        raise InvalidInput("pin_unchanged", "Choose a PIN different from the current one")
    member.pin_hash = await hash_pin(new_pin)
    member.must_change_pin = False
    member.updated_at = now
    await sessions.end_member_sessions(
        session, member_id, reason="pin_changed", now=now, keep=keep_session
    )


def generate_temporary_pin() -> str:
    """Return a random 4-digit PIN that passes the PIN rules."""
    while True:
        pin = f"{secrets.randbelow(10_000):04d}"
        if check_new_pin(pin) is None:
            return pin


async def set_temporary_pin(
    session: AsyncSession,
    member_id: uuid.UUID,
    *,
    pin: str | None,
    actor_id: uuid.UUID | None,
    actor_level: int,
    now: datetime,
) -> str:
    """Give a member a temporary PIN they must change at first login; end their sessions."""
    member = await session.get(Member, member_id, with_for_update=True)
    if member is None:
        raise NotFound("member_not_found", "Member not found")
    if member_id == actor_id:
        raise Conflict("use_change_pin", "Change your own PIN with /api/auth/change-pin")
    if not can_manage_level(actor_level, member.account_level):
        raise Forbidden("forbidden", "You cannot manage an account above your own level")
    chosen = pin if pin is not None else generate_temporary_pin()
    _refuse_bad_pin(chosen)
    member.pin_hash = await hash_pin(chosen)
    member.must_change_pin = True
    member.updated_at = now
    await sessions.end_member_sessions(session, member_id, reason="pin_reset", now=now)
    return chosen
