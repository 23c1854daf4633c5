"""API keys: issue (`sk_...`, stored hashed), resolve, list and revoke (domain.md §10.4)."""

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import ApiKey

KEY_PREFIX = "sk_"


def hash_key(key: str) -> str:
    """Return the SHA-256 hex digest stored for a key."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key; `key` is shown once."""

    row: ApiKey
    key: str


async def issue_key(
    session: AsyncSession,
    *,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime | None,
    created_by: uuid.UUID | None,
) -> IssuedKey:
    """Create a key and return it with its plaintext."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        id=uuid.uuid4(),
        name=name,
        prefix=key[:11],
        key_hash=hash_key(key),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=created_by,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return IssuedKey(row, key)


async def find_live_key(session: AsyncSession, key: str, *, now: datetime) -> ApiKey | None:
    """Return the key's row if it exists, is not revoked and has not expired."""
    row = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    return row


async def touch_key(session: AsyncSession, key_id: uuid.UUID, *, now: datetime) -> None:
    """Record that the key was used."""
    await session.execute(
        text("UPDATE api_keys SET last_used_at = :now WHERE id = :id"), {"id": key_id, "now": now}
    )
