"""Presence queries: the summary and per-member state (domain.md §3.1, from member_states)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.presence import DivisionPresence, MemberPresence, PresenceSummary

# One round trip: per-division rows plus a totals row (division_id NULL, over all members,
# including those without a division) and the visitors present.
_SUMMARY_SQL = text(
    """
    WITH per_member AS (
        SELECT m.division_id, m.status = 'active' AS active,
               m.status = 'active' AND s.direction IS NOT DISTINCT FROM 'in' AS present
        FROM members m LEFT JOIN member_states s ON s.member_id = m.id
    ), counted AS (
        SELECT division_id, GROUPING(division_id) = 1 AS is_total,
               count(*) FILTER (WHERE active) AS total,
               count(*) FILTER (WHERE present) AS present
        FROM per_member GROUP BY GROUPING SETS ((division_id), ())
    )
    SELECT d.code, d.name, COALESCE(c.total, 0) AS total, COALESCE(c.present, 0) AS present,
           false AS is_total, 0 AS visitors
    FROM divisions d LEFT JOIN counted c ON c.division_id = d.id AND NOT c.is_total
    UNION ALL
    SELECT NULL, NULL, c.total, c.present, true,
           (SELECT count(*) FROM visitors WHERE check_out_at IS NULL)
    FROM counted c WHERE c.is_total
    ORDER BY is_total, name
    """
)


async def presence_summary(session: AsyncSession, *, now: datetime) -> PresenceSummary:
    """Return present/total active members overall and per division, and visitors present."""
    rows = (await session.execute(_SUMMARY_SQL)).all()
    divisions = [
        DivisionPresence(code=r.code, name=r.name, present=r.present, total=r.total)
        for r in rows
        if not r.is_total
    ]
    # The empty grouping set always yields the totals row, even with no members.
    totals = next(r for r in rows if r.is_total)
    return PresenceSummary(
        total_present=totals.present,
        total_members=totals.total,
        visitors_present=totals.visitors,
        by_division=divisions,
        updated_at=now,
    )


@dataclass(frozen=True, slots=True)
class PresentMember:
    """A member who is in the building."""

    member_id: uuid.UUID
    display_name: str
    rank: str
    division: str | None
    since: datetime


async def present_members(session: AsyncSession) -> list[PresentMember]:
    """Return active members whose latest check-in is `in`, newest arrival first."""
    rows = await session.execute(
        text(
            """
            SELECT m.id, m.display_name, r.code AS rank, d.code AS division, s.at
            FROM member_states s
            JOIN members m ON m.id = s.member_id
            JOIN ranks r ON r.id = m.rank_id
            LEFT JOIN divisions d ON d.id = m.division_id
            WHERE s.direction = 'in' AND m.status = 'active'
            ORDER BY s.at DESC
            """
        )
    )
    return [PresentMember(r.id, r.display_name, r.rank, r.division, r.at) for r in rows]


async def member_presence(
    session: AsyncSession, member_ids: list[uuid.UUID] | None = None
) -> list[MemberPresence]:
    """Return the retained-topic payload for the given members (all members when None)."""
    where = "" if member_ids is None else "WHERE m.id = ANY(:ids)"
    rows = await session.execute(
        text(
            f"""
            SELECT m.id, m.display_name, m.status, d.code AS division, s.direction, s.at
            FROM members m
            LEFT JOIN member_states s ON s.member_id = m.id
            LEFT JOIN divisions d ON d.id = m.division_id
            {where}
            """
        ),
        {"ids": member_ids} if member_ids is not None else {},
    )
    return [
        presence_of(
            r.id,
            present=r.direction == "in" and r.status == "active",
            since=r.at,
            display_name=r.display_name,
            division=r.division,
        )
        for r in rows
    ]


def presence_of(
    member_id: uuid.UUID,
    *,
    present: bool,
    since: datetime | None,
    display_name: str,
    division: str | None,
) -> MemberPresence:
    """A member's retained presence; `present`: active and the latest check-in is `in` (§3.1)."""
    return MemberPresence(
        member_id=member_id,
        state="in" if present else "out",
        since=since,
        display_name=display_name,
        division=division,
    )
