"""First-run bootstrap: create the first Admin with a badge and a one-time PIN (domain.md §10.1).

There is no built-in master badge or PIN (the source's fixed system account is not copied):
the operator names the person and their badge, and gets a random temporary PIN that must be
changed at first sign-in.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import Badge, Division, Member, Rank
from shared.domain.auth import Level, check_new_pin
from shared.domain.badges import normalize_serial
from shared.domain.display import NameParts, display_name
from shared.domain.nominal_roll import DIVISION_NAMES
from shared.errors import Conflict, InvalidInput
from shared.pins import hash_pin


@dataclass(frozen=True, slots=True)
class AdminSpec:
    """Who the first Admin is."""

    service_number: str
    rank: str
    first_name: str
    last_name: str
    division: str
    badge_serial: str
    initials: str = ""
    level: int = Level.ADMIN
    pin: str | None = None


@dataclass(frozen=True, slots=True)
class BootstrappedAdmin:
    """The created account; `temporary_pin` is shown once."""

    member_id: uuid.UUID
    display_name: str
    badge_serial: str
    temporary_pin: str | None


def _random_pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10_000):04d}"
        if check_new_pin(pin) is None:
            return pin


async def _check(session: AsyncSession, spec: AdminSpec, *, force: bool) -> tuple[Rank, str]:
    if spec.level not in (Level.ADMIN, Level.DEVELOPER):
        raise InvalidInput("level_invalid", "The first account is an Admin (5) or Developer (6)")
    admins = await session.scalar(
        select(func.count()).where(Member.account_level >= Level.ADMIN, Member.status == "active")
    )
    if admins and not force:
        raise Conflict("admin_exists", "An active Admin already exists; use the API instead")
    rank = await session.scalar(select(Rank).where(func.lower(Rank.code) == spec.rank.lower()))
    if rank is None:
        raise InvalidInput("rank_unknown", f'Unknown rank code "{spec.rank}"')
    serial = normalize_serial(spec.badge_serial)
    if serial is None:
        raise InvalidInput(
            "badge_serial_invalid", "The badge serial is the UID in hex (4–10 bytes)"
        )
    if spec.pin is not None and check_new_pin(spec.pin) is not None:
        raise InvalidInput("pin_invalid", "A PIN is 4 digits and not guessable (1234, 0000, ...)")
    taken = await session.scalar(
        select(Member.id).where(Member.service_number == spec.service_number.upper())
    )
    if taken is not None:
        raise Conflict("service_number_taken", "A member already has this service number")
    return rank, serial


async def bootstrap_admin(
    session: AsyncSession, spec: AdminSpec, *, now: datetime, force: bool = False
) -> BootstrappedAdmin:
    """Create the first Admin, their division if missing and their badge; never commits."""
    rank, serial = await _check(session, spec, force=force)
    code = spec.division.upper()
    division_id = await session.scalar(select(Division.id).where(Division.code == code))
    if division_id is None:
        division = Division(id=uuid.uuid4(), code=code, name=DIVISION_NAMES.get(code, code))
        session.add(division)
        division_id = division.id
    badge = await session.scalar(select(Badge).where(Badge.serial_number == serial))
    if badge is not None and (badge.member_id is not None or badge.status != "active"):
        raise Conflict("badge_unavailable", "This badge is assigned or not active")
    pin = spec.pin or _random_pin()
    parts = NameParts(rank.code, spec.first_name, spec.last_name, spec.initials)
    member = Member(
        id=uuid.uuid4(),
        service_number=spec.service_number.upper(),
        rank_id=rank.id,
        first_name=spec.first_name,
        last_name=spec.last_name,
        initials=spec.initials,
        display_name=display_name(parts),
        division_id=division_id,
        member_source="civilian_manual" if rank.code == "CIV" else "nominal_roll",
        account_level=spec.level,
        pin_hash=await hash_pin(pin),
        must_change_pin=spec.pin is None,
        created_at=now,
        updated_at=now,
    )
    session.add(member)
    await session.flush()
    if badge is None:
        badge = Badge(id=uuid.uuid4(), serial_number=serial, created_at=now, updated_at=now)
        session.add(badge)
    badge.assignment_type, badge.member_id, badge.updated_at = "member", member.id, now
    await session.flush()
    return BootstrappedAdmin(member.id, member.display_name, serial, None if spec.pin else pin)
