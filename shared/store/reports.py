"""Read queries behind the reports: members in scope, check-in events, roster, visitors.

Everything here is read-only SQL returning frozen rows; the report builders in `api/reports`
turn them into results with the pure rules of `shared.domain.attendance`.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import PresenceEvent

FT_STAFF = ("class_b", "class_c", "reg_force")  # domain.md §1.9 "FT staff"
RESERVE = ("class_a",)


@dataclass(frozen=True, slots=True)
class ReportMember:
    """A member as reports show them."""

    member_id: uuid.UUID
    service_number: str
    rank: str
    rank_order: int
    first_name: str
    last_name: str
    initials: str
    display_name: str
    division_id: uuid.UUID | None
    division_code: str | None
    division_name: str | None
    member_type: str
    status: str
    joined_on: date
    email: str | None
    phone: str | None
    badge_serial: str | None


_MEMBERS_SQL = """
SELECT m.id, m.service_number, r.code AS rank, r.display_order AS rank_order,
       m.first_name, m.last_name, m.initials, m.display_name,
       m.division_id, d.code AS division_code, d.name AS division_name,
       m.member_type, m.status,
       coalesce(m.joined_on, (m.created_at AT TIME ZONE :tz)::date) AS joined_on,
       m.email, coalesce(m.mobile_phone, m.home_phone) AS phone,
       b.serial_number AS badge_serial
FROM members m
JOIN ranks r ON r.id = m.rank_id
LEFT JOIN divisions d ON d.id = m.division_id
LEFT JOIN badges b ON b.member_id = m.id
WHERE m.status = 'active'
  AND m.member_type = ANY(:types)
  AND (CAST(:division_id AS uuid) IS NULL OR m.division_id = :division_id)
  AND (CAST(:member_id AS uuid) IS NULL OR m.id = :member_id)
ORDER BY d.name NULLS LAST, r.display_order DESC, m.last_name, m.first_name
"""


async def report_members(
    session: AsyncSession,
    *,
    tz: str,
    member_types: Sequence[str],
    division_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
) -> list[ReportMember]:
    """Return active members of the given types, by division, seniority and name.

    `joined_on` falls back to the local date the record was created.
    """
    rows = await session.execute(
        text(_MEMBERS_SQL),
        {
            "tz": tz,
            "types": list(member_types),
            "division_id": division_id,
            "member_id": member_id,
        },
    )
    return [ReportMember(*row) for row in rows]


async def presence_events(
    session: AsyncSession,
    member_ids: Sequence[uuid.UUID],
    *,
    start_at: datetime,
    end_at: datetime,
    within: Sequence[tuple[datetime, datetime]] | None = None,
) -> dict[uuid.UUID, list[PresenceEvent]]:
    """Return each member's check-ins in `[start_at, end_at)` as time-ordered (at, is_in).

    `within` narrows the read to those `[start, end)` spans (the operational days of the
    nights), which skips e.g. the working days of full-time staff. One row per member with two
    arrays keeps a year of check-ins to a few hundred rows on the wire (the budget is one second
    for 500 members).
    """
    spans = None
    if within is not None:
        # A multirange is searched by bisection, unlike `= ANY(array)`; the sub-select parses it
        # once (a cast from text is only stable, so it would otherwise run for every row).
        spans = "{" + ",".join(f"[{a.isoformat()},{b.isoformat()})" for a, b in within) + "}"
    rows = await session.execute(
        text(
            """
            SELECT member_id,
                   array_agg(at ORDER BY at, direction DESC) AS ats,
                   array_agg(direction = 'in' ORDER BY at, direction DESC) AS ins
            FROM checkins
            WHERE member_id = ANY(:ids) AND at >= :start_at AND at < :end_at
              AND (CAST(:spans AS text) IS NULL
                   OR at <@ (SELECT CAST(CAST(:spans AS text) AS tstzmultirange)))
            GROUP BY member_id
            """
        ),
        {"ids": list(member_ids), "start_at": start_at, "end_at": end_at, "spans": spans},
    )
    return {row.member_id: list(zip(row.ats, row.ins, strict=True)) for row in rows}


@dataclass(frozen=True, slots=True)
class DayActivity:
    """A member's check-ins within one operational day."""

    member_id: uuid.UUID
    first_in_at: datetime | None
    last_out_at: datetime | None
    scans: int


async def day_activity(
    session: AsyncSession, member_ids: Sequence[uuid.UUID], *, start_at: datetime, end_at: datetime
) -> dict[uuid.UUID, DayActivity]:
    """Return first `in`, last `out` and scan count per member in `[start_at, end_at)`."""
    rows = await session.execute(
        text(
            """
            SELECT member_id,
                   min(at) FILTER (WHERE direction = 'in') AS first_in_at,
                   max(at) FILTER (WHERE direction = 'out') AS last_out_at,
                   count(*) AS scans
            FROM checkins
            WHERE member_id = ANY(:ids) AND at >= :start_at AND at < :end_at
            GROUP BY member_id
            """
        ),
        {"ids": list(member_ids), "start_at": start_at, "end_at": end_at},
    )
    return {row.member_id: DayActivity(*row) for row in rows}


@dataclass(frozen=True, slots=True)
class VisitorRow:
    """A visit for the visitor summary."""

    visitor_id: uuid.UUID
    display_name: str
    organization: str | None
    visit_type: str
    visit_reason: str | None
    host_name: str | None
    check_in_at: datetime
    check_out_at: datetime | None


async def visitor_rows(
    session: AsyncSession,
    *,
    start_at: datetime,
    end_at: datetime,
    visit_type: str | None = None,
    organization: str | None = None,
) -> list[VisitorRow]:
    """Return visits signed in within `[start_at, end_at)`, oldest first (§8.1)."""
    if organization is not None:
        # A literal substring match: the user's % and _ are not wildcards.
        organization = organization.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await session.execute(
        text(
            """
            SELECT v.id, v.display_name, v.organization, v.visit_type, v.visit_reason,
                   h.display_name AS host_name, v.check_in_at, v.check_out_at
            FROM visitors v
            LEFT JOIN members h ON h.id = v.host_member_id
            WHERE v.check_in_at >= :start_at AND v.check_in_at < :end_at
              AND (CAST(:visit_type AS text) IS NULL OR v.visit_type = :visit_type)
              AND (CAST(:organization AS text) IS NULL
                   OR v.organization ILIKE '%' || :organization || '%')
            ORDER BY v.check_in_at
            """
        ),
        {
            "start_at": start_at,
            "end_at": end_at,
            "visit_type": visit_type,
            "organization": organization,
        },
    )
    return [VisitorRow(*row) for row in rows]


async def table_exists(session: AsyncSession, name: str) -> bool:
    """True when a table (or view) called `name` exists in the current schema."""
    found = await session.scalar(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name})
    return bool(found)
