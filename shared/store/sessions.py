"""Member login sessions: create, resolve a token, end one, a member's or all (domain.md §10.3)."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest stored for a token (tokens are 256-bit random)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewSession:
    """A created session; `token` is shown once and never stored."""

    id: uuid.UUID
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SessionView:
    """A live session joined with what authorisation needs about its member."""

    id: uuid.UUID
    member_id: uuid.UUID
    expires_at: datetime
    last_seen_at: datetime | None
    account_level: int
    display_name: str
    member_status: str
    must_change_pin: bool


async def create_session(
    session: AsyncSession,
    member_id: uuid.UUID,
    *,
    now: datetime,
    ttl: timedelta,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> NewSession:
    """Start a session for `member_id` and return its one-time token."""
    token = secrets.token_hex(32)
    session_id = uuid.uuid4()
    expires_at = now + ttl
    await session.execute(
        text(
            "INSERT INTO member_sessions (id, member_id, token_hash, created_at, expires_at,"
            " last_seen_at, ip_address, user_agent)"
            " VALUES (:id, :m, :h, :now, :exp, :now, :ip, :ua)"
        ),
        {
            "id": session_id,
            "m": member_id,
            "h": hash_token(token),
            "now": now,
            "exp": expires_at,
            "ip": ip_address[:45] if ip_address else None,
            "ua": user_agent[:500] if user_agent else None,
        },
    )
    return NewSession(session_id, token, expires_at)


async def find_live_session(
    session: AsyncSession, token: str, *, now: datetime
) -> SessionView | None:
    """Return the session for `token` if it is not ended, not expired and its member is active."""
    row = (
        await session.execute(
            text(
                "SELECT s.id, s.member_id, s.expires_at, s.last_seen_at, m.account_level,"
                " m.display_name, m.status, m.must_change_pin"
                " FROM member_sessions s JOIN members m ON m.id = s.member_id"
                " WHERE s.token_hash = :h AND s.ended_at IS NULL AND s.expires_at > :now"
            ),
            {"h": hash_token(token), "now": now},
        )
    ).first()
    if row is None or row.status != "active":
        return None
    return SessionView(
        row.id,
        row.member_id,
        row.expires_at,
        row.last_seen_at,
        row.account_level,
        row.display_name,
        row.status,
        row.must_change_pin,
    )


async def touch_session(session: AsyncSession, session_id: uuid.UUID, *, now: datetime) -> None:
    """Record that the session was used."""
    await session.execute(
        text("UPDATE member_sessions SET last_seen_at = :now WHERE id = :id"),
        {"id": session_id, "now": now},
    )


async def end_session(
    session: AsyncSession, session_id: uuid.UUID, *, reason: str, now: datetime
) -> bool:
    """End one session; return False if it was already ended or does not exist."""
    result = await session.execute(
        text(
            "UPDATE member_sessions SET ended_at = :now, end_reason = :r"
            " WHERE id = :id AND ended_at IS NULL"
        ),
        {"id": session_id, "r": reason, "now": now},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def end_member_sessions(
    session: AsyncSession,
    member_id: uuid.UUID,
    *,
    reason: str,
    now: datetime,
    keep: uuid.UUID | None = None,
) -> int:
    """End every open session of one member except `keep` (archived, PIN reset, ...)."""
    result = await session.execute(
        text(
            "UPDATE member_sessions SET ended_at = :now, end_reason = :r"
            " WHERE member_id = :m AND ended_at IS NULL"
            " AND (CAST(:keep AS uuid) IS NULL OR id <> :keep)"
        ),
        {"m": member_id, "r": reason, "now": now, "keep": keep},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def end_all_sessions(session: AsyncSession, *, reason: str, now: datetime) -> int:
    """End every open session (the daily reset passes `reason="daily_reset"`); return how many."""
    result = await session.execute(
        text("UPDATE member_sessions SET ended_at = :now, end_reason = :r WHERE ended_at IS NULL"),
        {"r": reason, "now": now},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
