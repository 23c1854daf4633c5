"""Badge lookups for the scan pipeline: UID → badge with its holder."""

import uuid
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.scan import AssignmentType, BadgeStatus, BadgeView, MemberStatus
from shared.settings import UidFormat


def serial_candidates(uid_hex: str, formats: Iterable[UidFormat]) -> list[str]:
    """Return the badge serials a reader UID may have been enrolled as (§2.11 step 3).

    `dec10_le`/`dec10_be` cover keyboard-wedge readers that typed the first four UID bytes as a
    10-digit decimal number in little- or big-endian order.
    """
    raw = bytes.fromhex(uid_hex)
    out: list[str] = []
    for fmt in formats:
        if fmt is UidFormat.HEX_UPPER:
            out.append(uid_hex.upper())
        elif fmt is UidFormat.DEC10_BE:
            out.append(f"{int.from_bytes(raw[:4], 'big'):010d}")
        elif fmt is UidFormat.DEC10_LE:
            out.append(f"{int.from_bytes(raw[:4], 'little'):010d}")
    return out


_BADGES_SQL = text(
    """
    SELECT b.id, b.serial_number, b.status, b.assignment_type, b.member_id,
           m.status AS member_status, m.display_name, d.code AS division_code,
           v.id AS visitor_id
    FROM badges b
    LEFT JOIN members m ON m.id = b.member_id AND b.assignment_type = 'member'
    LEFT JOIN divisions d ON d.id = m.division_id
    LEFT JOIN LATERAL (
        SELECT id FROM visitors
        WHERE temporary_badge_id = b.id AND check_out_at IS NULL
        ORDER BY check_in_at DESC LIMIT 1
    ) v ON b.assignment_type = 'visitor'
    WHERE b.serial_number = ANY(:serials)
    """
)


class BadgeHit:
    """A badge row joined with what the scan decision and the feedback need."""

    __slots__ = ("division", "view")

    def __init__(self, view: BadgeView, division: str | None) -> None:
        self.view = view
        self.division = division


async def find_badges(session: AsyncSession, serials: list[str]) -> dict[str, BadgeHit]:
    """Return serial → badge for the given serials (absent serials are unknown badges)."""
    if not serials:
        return {}
    rows = (await session.execute(_BADGES_SQL, {"serials": serials})).mappings().all()
    hits: dict[str, BadgeHit] = {}
    for row in rows:
        member_status = row["member_status"]
        view = BadgeView(
            badge_id=row["id"],
            serial=row["serial_number"],
            status=BadgeStatus(row["status"]),
            assignment=AssignmentType(row["assignment_type"]),
            member_id=row["member_id"] if member_status is not None else None,
            member_status=_member_status(member_status),
            member_label=row["display_name"] or "",
            visitor_id=row["visitor_id"],
        )
        hits[row["serial_number"]] = BadgeHit(view, row["division_code"])
    return hits


_STATUSES = {status.value for status in MemberStatus}


def _member_status(value: str | None) -> MemberStatus | None:
    """Map a stored status; any status we do not know counts as not active."""
    if value is None:
        return None
    return MemberStatus(value) if value in _STATUSES else MemberStatus.INACTIVE


def member_ids(hits: Iterable[BadgeHit]) -> list[uuid.UUID]:
    """Return the distinct member ids behind `hits`, sorted (the lock order)."""
    return sorted({hit.view.member_id for hit in hits if hit.view.member_id is not None})
