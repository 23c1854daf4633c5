"""Applies the auto-qualification rules (APS/BM/QM/DSWK) to members' qualification records.

Called on member create, on an SWK grant or revoke, after an import and by `/auto-sync`
(domain.md §1.9). Grants re-activate an existing row; revocations keep the row with a reason.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.qualifications import AUTOMATIC_CODES, MemberFacts, plan_sync


@dataclass(frozen=True, slots=True)
class Change:
    """One automatic grant or revocation."""

    member_id: uuid.UUID
    code: str
    action: str  # "granted" or "revoked"
    reason: str | None = None


_FACTS = """
    SELECT m.id, r.display_order, d.code AS division,
           EXISTS (
               SELECT 1 FROM member_qualifications q
               JOIN qualification_types t ON t.id = q.qualification_type_id
               WHERE q.member_id = m.id AND t.code = 'SWK' AND q.status = 'active'
                 AND (q.expires_at IS NULL OR q.expires_at > :now)
           ) AS has_swk,
           ARRAY(
               SELECT t.code FROM member_qualifications q
               JOIN qualification_types t ON t.id = q.qualification_type_id
               WHERE q.member_id = m.id AND t.code = ANY(:codes) AND q.status = 'active'
                 AND (q.expires_at IS NULL OR q.expires_at > :now)
           ) AS held
    FROM members m
    JOIN ranks r ON r.id = m.rank_id
    LEFT JOIN divisions d ON d.id = m.division_id
"""


async def sync_members(
    session: AsyncSession,
    member_ids: Sequence[uuid.UUID] | None,
    *,
    now: datetime,
    actor_id: uuid.UUID | None,
) -> list[Change]:
    """Bring the given members (all when None) in line with the rules; return the changes."""
    where = "" if member_ids is None else " WHERE m.id = ANY(:ids)"
    rows = await session.execute(
        text(_FACTS + where + " ORDER BY m.id"),
        {"now": now, "codes": list(AUTOMATIC_CODES), "ids": list(member_ids or [])},
    )
    types = {
        r.code: r.id
        for r in await session.execute(
            text("SELECT id, code FROM qualification_types WHERE code = ANY(:codes)"),
            {"codes": list(AUTOMATIC_CODES)},
        )
    }
    changes: list[Change] = []
    for row in rows.all():
        facts = MemberFacts(row.display_order, row.division, bool(row.has_swk))
        plan = plan_sync(facts, held=set(row.held))
        for code in sorted(plan.grant):
            if code in types:
                await _grant(session, row.id, types[code], now=now, actor_id=actor_id)
                changes.append(Change(row.id, code, "granted"))
        for code, reason in plan.revoke.items():
            if code in types:
                await _revoke(session, row.id, types[code], reason, now=now, actor_id=actor_id)
                changes.append(Change(row.id, code, "revoked", reason))
    return changes


async def _grant(
    session: AsyncSession,
    member_id: uuid.UUID,
    type_id: uuid.UUID,
    *,
    now: datetime,
    actor_id: uuid.UUID | None,
) -> None:
    await session.execute(
        text(
            "INSERT INTO member_qualifications (member_id, qualification_type_id, status,"
            " granted_at, granted_by, notes) VALUES (:m, :t, 'active', :now, :by, :notes)"
            " ON CONFLICT (member_id, qualification_type_id) DO UPDATE SET status = 'active',"
            " granted_at = :now, granted_by = :by, expires_at = NULL, revoked_at = NULL,"
            " revoked_by = NULL, revoke_reason = NULL, notes = :notes"
        ),
        {"m": member_id, "t": type_id, "now": now, "by": actor_id, "notes": "Auto-granted"},
    )


async def _revoke(
    session: AsyncSession,
    member_id: uuid.UUID,
    type_id: uuid.UUID,
    reason: str,
    *,
    now: datetime,
    actor_id: uuid.UUID | None,
) -> None:
    await session.execute(
        text(
            "UPDATE member_qualifications SET status = 'revoked', revoked_at = :now,"
            " revoked_by = :by, revoke_reason = :reason"
            " WHERE member_id = :m AND qualification_type_id = :t"
        ),
        {"m": member_id, "t": type_id, "now": now, "by": actor_id, "reason": reason},
    )
