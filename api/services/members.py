"""Member writes: create, update, archive (soft delete) with display names, sessions, presence."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.schemas.members import MemberCreate, MemberUpdate
from api.services.audit import record_change, snapshot
from shared.db.models import Division, Member, MemberStatusOption, MemberTypeOption, Rank
from shared.domain.auth import can_manage_level
from shared.domain.display import NameParts, display_name, name_key
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.services import auto_qualifications
from shared.services.checkin_writes import queue_presence
from shared.store import members as member_store
from shared.store import sessions

AUDITED = (
    "service_number",
    "rank_id",
    "first_name",
    "last_name",
    "initials",
    "display_name",
    "division_id",
    "member_type",
    "member_source",
    "status",
    "email",
    "mobile_phone",
    "home_phone",
    "employee_number",
    "mess",
    "moc",
    "class_details",
    "account_level",
    "contract_start",
    "contract_end",
    "notes",
)


async def get_member(session: AsyncSession, member_id: uuid.UUID, *, lock: bool = False) -> Member:
    """Return the member or raise NotFound."""
    member = await session.get(Member, member_id, with_for_update=lock)
    if member is None:
        raise NotFound("member_not_found", "Member not found")
    return member


async def _rank(session: AsyncSession, code: str) -> Rank:
    rank = await session.scalar(
        select(Rank).where(func.lower(Rank.code) == code.strip().lower(), Rank.is_active)
    )
    if rank is None:
        raise InvalidInput("rank_unknown", f'Unknown rank code "{code}"', {"rank": code})
    return rank


async def _check_refs(session: AsyncSession, values: dict[str, Any]) -> None:
    checks = (
        ("division_id", Division, Division.id, "division_unknown"),
        ("member_type", MemberTypeOption, MemberTypeOption.code, "member_type_unknown"),
        ("status", MemberStatusOption, MemberStatusOption.code, "member_status_unknown"),
    )
    for field, model, column, code in checks:
        if values.get(field) is not None:
            found = await session.scalar(select(model).where(column == values[field]))
            if found is None:
                raise InvalidInput(code, f"Unknown {field}", {field: str(values[field])})


def _check_level(actor: Actor, level: int) -> None:
    if not can_manage_level(actor.level, level):
        raise Forbidden("forbidden", "You cannot manage an account above your own level")


async def _flush(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("service_number_taken", "Another member has this service number") from exc


async def create_member(
    session: AsyncSession, actor: Actor, body: MemberCreate, *, now: datetime
) -> Member:
    """Create a member and recompute colliding display names (§1.8)."""
    _check_level(actor, body.account_level)
    values = body.model_dump(exclude={"rank"})
    await _check_refs(session, values)
    rank = await _rank(session, body.rank)
    parts = NameParts(rank.code, body.first_name, body.last_name, body.initials)
    member = Member(
        id=uuid.uuid4(),
        rank_id=rank.id,
        display_name=display_name(parts),
        created_at=now,
        updated_at=now,
        **{**values, "member_source": body.member_source.value},
    )
    session.add(member)
    await _flush(session)
    await member_store.refresh_display_names(session, [name_key(parts)])
    await auto_qualifications.sync_members(session, [member.id], now=now, actor_id=actor.member_id)
    await session.refresh(member)
    await record_change(
        session, actor, "member_create", "member", member.id, after=snapshot(member, AUDITED)
    )
    return member


async def update_member(
    session: AsyncSession, actor: Actor, member_id: uuid.UUID, body: MemberUpdate, *, now: datetime
) -> Member:
    """Apply the given fields; names and rank changes recompute display names."""
    member = await get_member(session, member_id, lock=True)
    _check_level(actor, member.account_level)
    changes = body.model_dump(exclude_unset=True, exclude={"rank"})
    if "account_level" in changes and changes["account_level"] is not None:
        _check_level(actor, changes["account_level"])
    if actor.member_id == member.id and (
        changes.get("account_level", member.account_level) != member.account_level
        or changes.get("status", member.status) != member.status
    ):
        # Nobody locks themselves out; another Admin must do it (keeps one Admin able to act).
        raise Conflict("cannot_change_self", "You cannot change your own level or status")
    for required in ("first_name", "last_name", "division_id", "member_type", "status"):
        if required in changes and changes[required] is None:
            raise InvalidInput("field_required", f"{required} cannot be null", {"field": required})
    await _check_refs(session, changes)
    before = snapshot(member, AUDITED)
    old_key = await _key(session, member)
    if body.rank is not None:
        member.rank_id = (await _rank(session, body.rank)).id
    for field, value in changes.items():
        setattr(member, field, value.value if hasattr(value, "value") else value)
    member.updated_at = now
    await _flush(session)
    await member_store.refresh_display_names(session, {old_key, await _key(session, member)})
    await session.refresh(member)
    if before["status"] != member.status:
        await _status_changed(session, member, now=now)
    await record_change(
        session,
        actor,
        "member_update",
        "member",
        member.id,
        before=before,
        after=snapshot(member, AUDITED),
    )
    return member


async def _key(session: AsyncSession, member: Member) -> tuple[str, str]:
    rank_code = await session.scalar(select(Rank.code).where(Rank.id == member.rank_id))
    return name_key(
        NameParts(rank_code or "", member.first_name, member.last_name, member.initials)
    )


async def _status_changed(session: AsyncSession, member: Member, *, now: datetime) -> None:
    """A member who is no longer active loses their sessions and leaves presence (§10.3.6)."""
    if member.status != "active":
        await sessions.end_member_sessions(session, member.id, reason="member_inactive", now=now)
    await queue_presence(session, [member.id], now=now)


async def archive_member(
    session: AsyncSession, actor: Actor, member_id: uuid.UUID, *, now: datetime
) -> None:
    """Soft delete: status `archived`, sessions ended, presence republished (§1.2)."""
    member = await get_member(session, member_id, lock=True)
    _check_level(actor, member.account_level)
    if actor.member_id == member.id:
        raise Conflict("cannot_archive_self", "You cannot archive your own account")
    if member.status == "archived":
        return
    before = snapshot(member, AUDITED)
    old_key = await _key(session, member)
    member.status = "archived"
    member.updated_at = now
    await session.flush()
    await member_store.refresh_display_names(session, [old_key])
    await _status_changed(session, member, now=now)
    await record_change(
        session,
        actor,
        "member_delete",
        "member",
        member.id,
        before=before,
        after={"status": "archived"},
    )
