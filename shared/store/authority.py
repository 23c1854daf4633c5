"""Facts the responsibility rules need about members: presence, qualifications, DDS duty.

Reads the qualification tables owned by the admin API (revision 0003) and the duty tables of
revision 0004; "active" qualification = status `active` and not expired (domain.md §1.2).
"""

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.lockup import Candidate
from shared.domain.opday import week_start

_ACTIVE_QUAL = """
    q.status = 'active' AND (q.expires_at IS NULL OR q.expires_at > :now)
"""

_CANDIDATES = f"""
    SELECT m.id,
           COALESCE(s.direction = 'in' AND m.status = 'active', false) AS present,
           EXISTS (
               SELECT 1 FROM member_qualifications q
               JOIN qualification_types t ON t.id = q.qualification_type_id
               WHERE q.member_id = m.id AND t.can_receive_lockup AND {_ACTIVE_QUAL}
           ) AS lockup_qualified,
           (
               EXISTS (
                   SELECT 1 FROM dds_assignments d
                   WHERE d.member_id = m.id AND d.operational_date = :on
                     AND d.status IN ('pending', 'active')
               )
               OR m.id = (
                   SELECT a.member_id FROM schedule_assignments a
                   JOIN weekly_schedules w ON w.id = a.schedule_id
                   JOIN duty_roles r ON r.id = w.duty_role_id
                   WHERE r.code = 'DDS' AND w.week_start_date = :week AND a.status <> 'released'
                   ORDER BY a.created_at, a.id LIMIT 1
               )
           ) AS todays_dds
    FROM members m
    LEFT JOIN member_states s ON s.member_id = m.id
"""


async def candidates(
    session: AsyncSession, member_ids: Sequence[uuid.UUID], *, now: datetime, on: date
) -> dict[uuid.UUID, Candidate]:
    """Return the authority facts of the given members (absent ids are unknown members)."""
    if not member_ids:
        return {}
    rows = await session.execute(
        text(_CANDIDATES + " WHERE m.id = ANY(:ids)"),
        {"ids": list(member_ids), "now": now, "on": on, "week": week_start(on)},
    )
    return {
        r.id: Candidate(r.id, bool(r.present), bool(r.lockup_qualified), bool(r.todays_dds))
        for r in rows
    }


async def present_candidates(session: AsyncSession, *, now: datetime, on: date) -> list[Candidate]:
    """Return every present member's authority facts, newest arrival first."""
    rows = await session.execute(
        text(
            _CANDIDATES
            + " WHERE s.direction = 'in' AND m.status = 'active' ORDER BY s.at DESC, m.id"
        ),
        {"now": now, "on": on, "week": week_start(on)},
    )
    return [
        Candidate(r.id, bool(r.present), bool(r.lockup_qualified), bool(r.todays_dds)) for r in rows
    ]


async def active_codes(
    session: AsyncSession, member_id: uuid.UUID, *, now: datetime
) -> frozenset[str]:
    """Return the codes of the member's active, unexpired qualifications."""
    rows = await session.scalars(
        text(
            "SELECT t.code FROM member_qualifications q"
            " JOIN qualification_types t ON t.id = q.qualification_type_id"
            f" WHERE q.member_id = :m AND {_ACTIVE_QUAL}"
        ),
        {"m": member_id, "now": now},
    )
    return frozenset(rows)


async def active_codes_of(
    session: AsyncSession, member_ids: Sequence[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, frozenset[str]]:
    """Return member id → codes of active, unexpired qualifications, for many members at once."""
    if not member_ids:
        return {}
    rows = await session.execute(
        text(
            "SELECT q.member_id, t.code FROM member_qualifications q"
            " JOIN qualification_types t ON t.id = q.qualification_type_id"
            f" WHERE q.member_id = ANY(:ids) AND {_ACTIVE_QUAL}"
        ),
        {"ids": list(set(member_ids)), "now": now},
    )
    codes: dict[uuid.UUID, set[str]] = {}
    for row in rows:
        codes.setdefault(row.member_id, set()).add(row.code)
    return {member_id: frozenset(found) for member_id, found in codes.items()}


async def present_count(session: AsyncSession) -> int:
    """Return how many members are present now (domain.md §3.1)."""
    found = await session.scalar(
        text(
            "SELECT count(*) FROM member_states s JOIN members m ON m.id = s.member_id"
            " WHERE s.direction = 'in' AND m.status = 'active'"
        )
    )
    return int(found or 0)


async def labels(session: AsyncSession, member_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Return member id → display name."""
    if not member_ids:
        return {}
    rows = await session.execute(
        text("SELECT id, display_name FROM members WHERE id = ANY(:ids)"),
        {"ids": list(set(member_ids))},
    )
    return {r.id: r.display_name for r in rows}


async def present_ids(session: AsyncSession) -> set[uuid.UUID]:
    """Return the ids of members present now (domain.md §3.1)."""
    rows = await session.scalars(
        text(
            "SELECT s.member_id FROM member_states s JOIN members m ON m.id = s.member_id"
            " WHERE s.direction = 'in' AND m.status = 'active'"
        )
    )
    return set(rows)
