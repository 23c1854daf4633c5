"""Member queries: the filtered, sorted list, one member with its joins, display-name upkeep."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.display import NameParts, display_names, name_key

_COLUMNS = """
    m.id, m.service_number, m.rank_id, r.code AS rank, r.display_order AS rank_order,
    m.first_name, m.last_name, m.initials, m.display_name, m.division_id,
    d.code AS division, m.member_type, m.member_source, m.status, m.email, m.mobile_phone,
    m.home_phone, m.employee_number, m.mess, m.moc, m.class_details, m.account_level,
    m.must_change_pin, (m.pin_hash IS NOT NULL) AS has_pin, m.missed_checkout_count,
    m.last_missed_checkout, m.contract_start, m.contract_end, m.notes, m.created_at,
    m.updated_at, b.id AS badge_id, b.serial_number AS badge_serial
"""
_FROM = """
    FROM members m
    JOIN ranks r ON r.id = m.rank_id
    LEFT JOIN divisions d ON d.id = m.division_id
    LEFT JOIN badges b ON b.member_id = m.id
"""
# Sort keys → ORDER BY; rank sorts by seniority, never by code (Appendix B 16).
SORTS = {
    "last_name": "lower(m.last_name) {o}, lower(m.first_name) {o}, m.id",
    "display_name": "lower(m.display_name) {o}, m.id",
    "rank": "r.display_order {o}, lower(m.last_name), m.id",
    "service_number": "m.service_number {o}",
    "division": "d.code {o} NULLS LAST, lower(m.last_name), m.id",
    "status": "m.status {o}, lower(m.last_name), m.id",
    "created_at": "m.created_at {o}, m.id",
}


@dataclass(frozen=True, slots=True)
class MemberFilter:
    """What the member list may be narrowed by."""

    search: str | None = None
    division_id: uuid.UUID | None = None
    rank: str | None = None
    status: str | None = None
    member_type: str | None = None
    member_source: str | None = None
    tag_id: uuid.UUID | None = None
    qualification: str | None = None
    has_badge: bool | None = None
    include_hidden: bool = False


def _where(f: MemberFilter) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = ["true"]
    params: dict[str, Any] = {}
    if f.search:
        clauses.append(
            "(m.last_name ILIKE :q OR m.first_name ILIKE :q OR m.display_name ILIKE :q"
            " OR m.service_number ILIKE :q OR b.serial_number ILIKE :q)"
        )
        escaped = f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["q"] = f"%{escaped}%"
    simple = {
        "m.division_id": f.division_id,
        "m.status": f.status,
        "m.member_type": f.member_type,
        "m.member_source": f.member_source,
    }
    for i, (column, value) in enumerate(simple.items()):
        if value is not None:
            clauses.append(f"{column} = :p{i}")
            params[f"p{i}"] = value
    if f.rank:
        clauses.append("lower(r.code) = lower(:rank)")
        params["rank"] = f.rank
    if f.tag_id:
        clauses.append(
            "EXISTS (SELECT 1 FROM member_tags t WHERE t.member_id = m.id AND t.tag_id = :tag)"
        )
        params["tag"] = f.tag_id
    if f.qualification:
        clauses.append(
            "EXISTS (SELECT 1 FROM member_qualifications q JOIN qualification_types qt"
            " ON qt.id = q.qualification_type_id WHERE q.member_id = m.id AND qt.code = :qual"
            " AND q.status = 'active' AND (q.expires_at IS NULL OR q.expires_at > now()))"
        )
        params["qual"] = f.qualification
    if f.has_badge is not None:
        clauses.append("b.id IS NOT NULL" if f.has_badge else "b.id IS NULL")
    if not f.include_hidden and f.status is None:
        clauses.append("m.status NOT IN (SELECT code FROM member_statuses WHERE is_hidden)")
    return " AND ".join(clauses), params


async def list_members(
    session: AsyncSession,
    f: MemberFilter,
    *,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Return one page of members and the total matching.

    Two steps keep it fast: the page's ids are chosen over narrow rows (sort keys only), then
    only those rows are read in full.
    """
    where, params = _where(f)
    order = SORTS[sort].format(o="DESC" if descending else "ASC")
    badges = (
        "LEFT JOIN badges b ON b.member_id = m.id" if f.search or f.has_badge is not None else ""
    )
    page = (
        await session.execute(
            text(
                "SELECT m.id, count(*) OVER () AS total FROM members m"
                " JOIN ranks r ON r.id = m.rank_id LEFT JOIN divisions d ON d.id = m.division_id"
                f" {badges} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"
            ),
            {**params, "limit": limit, "offset": offset},
        )
    ).all()
    if not page:
        if offset == 0:
            return [], 0
        total = await session.scalar(text(f"SELECT count(*) {_FROM} WHERE {where}"), params)
        return [], int(total or 0)
    ids = [row.id for row in page]
    rows = (
        await session.execute(
            text(f"SELECT {_COLUMNS} {_FROM} WHERE m.id = ANY(:ids)"), {"ids": ids}
        )
    ).mappings()
    by_id = {row["id"]: dict(row) for row in rows}
    return [by_id[i] for i in ids], int(page[0].total)


async def find_member_view(session: AsyncSession, member_id: uuid.UUID) -> dict[str, Any] | None:
    """Return one member with rank, division and badge, or None."""
    row = (
        (
            await session.execute(
                text(f"SELECT {_COLUMNS} {_FROM} WHERE m.id = :id"), {"id": member_id}
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def refresh_display_names(session: AsyncSession, keys: Iterable[tuple[str, str]]) -> int:
    """Recompute display names of every visible member sharing one of `keys`; return changes.

    domain.md §1.8: members whose (last name, initials) collide all use the long form.
    """
    wanted = set(keys)
    if not wanted:
        return 0
    rows = (
        await session.execute(
            text(
                "SELECT m.id, r.code, m.first_name, m.last_name, m.initials, m.display_name"
                " FROM members m JOIN ranks r ON r.id = m.rank_id"
                " WHERE lower(trim(m.last_name)) = ANY(:lasts) AND m.status <> 'archived'"
            ),
            {"lasts": sorted({last for last, _ in wanted})},
        )
    ).all()
    people = [(r, NameParts(r.code, r.first_name, r.last_name, r.initials)) for r in rows]
    people = [(r, p) for r, p in people if name_key(p) in wanted]
    names = display_names(p for _, p in people)
    changed = [(r.id, n) for (r, _), n in zip(people, names, strict=True) if r.display_name != n]
    for member_id, name in changed:
        await session.execute(
            text("UPDATE members SET display_name = :n WHERE id = :id"),
            {"n": name, "id": member_id},
        )
    return len(changed)


async def usage_count(session: AsyncSession, table: str, column: str, value: object) -> int:
    """Count rows of `table` whose `column` equals `value` (table/column are code constants)."""
    count = await session.scalar(
        text(f"SELECT count(*) FROM {table} WHERE {column} = :v"), {"v": value}
    )
    return int(count or 0)
