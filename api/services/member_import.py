"""Nominal-roll import: load members and ranks, run the pure parse/diff, apply the plan (§9A).

Only `nominal_roll` members are matched, updated or deactivated; `civilian_manual` members and
any other record are never touched (a file line reusing their service number is an error).
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.services.audit import record_change
from shared.db.models import Division, Member, Rank
from shared.domain import nominal_roll as roll
from shared.domain.display import NameParts, display_name, name_key
from shared.errors import InvalidInput
from shared.services import auto_qualifications
from shared.services.checkin_writes import queue_presence
from shared.store import members as member_store
from shared.store import sessions


async def _ranks(session: AsyncSession) -> dict[str, str]:
    codes = await session.scalars(select(Rank.code).where(Rank.is_active))
    return {c.lower(): c for c in codes}


async def _existing(session: AsyncSession) -> list[roll.ExistingMember]:
    rows = await session.execute(
        text(
            "SELECT m.id, m.service_number, r.code AS rank, m.last_name, m.first_name,"
            " m.initials, d.code AS division_code, m.status, m.employee_number, m.mess, m.moc,"
            " m.email, m.home_phone, m.mobile_phone, m.class_details, m.member_type"
            " FROM members m JOIN ranks r ON r.id = m.rank_id"
            " LEFT JOIN divisions d ON d.id = m.division_id"
            " WHERE m.member_source = 'nominal_roll'"
        )
    )
    return [roll.ExistingMember(**dict(r._mapping)) for r in rows]


async def prepare(
    session: AsyncSession, csv_text: str, exclude_rows: list[int]
) -> tuple[roll.ParsedRoll, roll.ImportPlan, list[roll.ExistingMember]]:
    """Parse, validate and diff the file against the database."""
    parsed = roll.parse_roll(
        csv_text, ranks=await _ranks(session), exclude_lines=frozenset(exclude_rows)
    )
    others = {
        sn.upper()
        for sn in await session.scalars(
            select(Member.service_number).where(Member.member_source != "nominal_roll")
        )
    }
    clashes = [r for r in parsed.rows if r.service_number in others]
    if clashes:
        message = "Service number belongs to a member who is not on the nominal roll"
        parsed = roll.ParsedRoll(
            [r for r in parsed.rows if r.service_number not in others],
            parsed.errors + [roll.RowError(r.line, "SN", message) for r in clashes],
        )
    existing = await _existing(session)
    codes = set(await session.scalars(select(Division.code)))
    return parsed, roll.plan_import(parsed.rows, existing, division_codes=codes), existing


def _values(row: roll.RollRow) -> dict[str, Any]:
    return {
        "service_number": row.service_number,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "initials": row.initials,
        "employee_number": row.employee_number,
        "mess": row.mess,
        "moc": row.moc,
        "email": row.email,
        "home_phone": row.home_phone,
        "mobile_phone": row.mobile_phone,
        "class_details": row.class_details,
        "member_type": row.member_type,
    }


async def execute(
    session: AsyncSession,
    actor: Actor,
    *,
    csv_text: str,
    exclude_rows: list[int],
    deactivate_ids: list[uuid.UUID],
    create_divisions: bool,
    now: datetime,
) -> dict[str, int]:
    """Apply the import in the request's transaction; any remaining error refuses it (422)."""
    parsed, plan, existing = await prepare(session, csv_text, exclude_rows)
    if parsed.errors:
        raise InvalidInput(
            "import_has_errors",
            "Fix or exclude the rows with errors first",
            {"errors": [_err(e) for e in parsed.errors]},
        )
    if plan.divisions_to_create and not create_divisions:
        raise InvalidInput(
            "divisions_missing",
            "Some departments have no division; allow creating them",
            {"codes": sorted(plan.divisions_to_create)},
        )
    if actor.member_id in deactivate_ids:
        raise InvalidInput("cannot_deactivate_self", "You cannot deactivate your own account")
    review = {m.id for m in plan.to_review}
    unknown = [str(i) for i in deactivate_ids if i not in review]
    if unknown:
        raise InvalidInput(
            "deactivate_not_in_review",
            "Only members listed for review can be deactivated",
            {"ids": unknown},
        )
    for code in sorted(plan.divisions_to_create):
        session.add(Division(code=code, name=roll.DIVISION_NAMES.get(code, code)))
    await session.flush()
    divisions = {c: i for c, i in await session.execute(select(Division.code, Division.id))}
    ranks = {c: i for c, i in await session.execute(select(Rank.code, Rank.id))}
    keys: set[tuple[str, str]] = set()
    for row in plan.to_add:
        parts = NameParts(row.rank, row.first_name, row.last_name, row.initials)
        keys.add(name_key(parts))
        session.add(
            Member(
                **_values(row),
                rank_id=ranks[row.rank],
                division_id=divisions[row.division_code],
                display_name=display_name(parts),
                member_source="nominal_roll",
                status="active",
                created_at=now,
                updated_at=now,
            )
        )
    by_id = {m.id: m for m in existing}
    for change in plan.to_update:
        row, old = change.row, by_id[change.member_id]
        keys.add(name_key(NameParts(old.rank, old.first_name, old.last_name, old.initials)))
        keys.add(name_key(NameParts(row.rank, row.first_name, row.last_name, row.initials)))
        await session.execute(
            update(Member)
            .where(Member.id == change.member_id)
            .values(
                **_values(row),
                rank_id=ranks[row.rank],
                division_id=divisions[row.division_code],
                updated_at=now,
            )
        )
    await session.flush()
    for member_id in deactivate_ids:
        old = by_id[member_id]
        keys.add(name_key(NameParts(old.rank, old.first_name, old.last_name, old.initials)))
        await session.execute(
            update(Member).where(Member.id == member_id).values(status="inactive", updated_at=now)
        )
        await sessions.end_member_sessions(session, member_id, reason="member_inactive", now=now)
    await member_store.refresh_display_names(session, keys)
    if deactivate_ids:
        await queue_presence(session, deactivate_ids, now=now)
    await auto_qualifications.sync_members(session, None, now=now, actor_id=actor.member_id)
    result = {
        "added": len(plan.to_add),
        "updated": len(plan.to_update),
        "deactivated": len(deactivate_ids),
        "divisions_created": len(plan.divisions_to_create),
    }
    await record_change(session, actor, "member_import", "member", None, result=result)
    return result


def _err(e: roll.RowError) -> dict[str, Any]:
    return {"line": e.line, "field": e.field, "message": e.message, "excludable": e.excludable}
