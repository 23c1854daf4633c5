"""Badge lookups for the scan pipeline: UID → badge with its holder."""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

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


# The badge lookup by serial (`:serials`); the scan pipeline embeds it in its batch prefetch.
BADGE_LOOKUP_SQL = """
    SELECT b.id, b.serial_number, b.status, b.assignment_type, b.member_id,
           m.status AS member_status, m.display_name, d.code AS division_code,
           v.id AS visitor_id
    FROM unnest(CAST(:serials AS text[])) AS wanted(serial)
    -- One index probe per serial whatever the statistics say: with `= ANY(array)` a table
    -- the planner believes small (fresh, not yet analyzed) was scanned whole, comparing every
    -- row with every serial. LIMIT keeps the probe from being flattened into a join.
    CROSS JOIN LATERAL (
        SELECT id, serial_number, status, assignment_type, member_id FROM badges
        WHERE serial_number = wanted.serial LIMIT 1
    ) b
    LEFT JOIN LATERAL (
        SELECT status, display_name, division_id FROM members
        WHERE id = b.member_id AND b.assignment_type = 'member' LIMIT 1
    ) m ON true
    LEFT JOIN divisions d ON d.id = m.division_id
    LEFT JOIN LATERAL (
        SELECT id FROM visitors
        WHERE temporary_badge_id = b.id AND check_out_at IS NULL
        ORDER BY check_in_at DESC LIMIT 1
    ) v ON b.assignment_type = 'visitor'
"""


class BadgeHit:
    """A badge row joined with what the scan decision and the feedback need."""

    __slots__ = ("division", "view")

    def __init__(self, view: BadgeView, division: str | None) -> None:
        self.view = view
        self.division = division


def badge_hit(row: Sequence[Any]) -> BadgeHit:
    """Build a hit from a row in `BADGE_LOOKUP_SQL`'s column order."""
    badge_id, serial, status, assignment, member_id, member_status, name, division, visitor = row
    view = BadgeView(
        badge_id=badge_id,
        serial=serial,
        status=BadgeStatus(status),
        assignment=AssignmentType(assignment),
        member_id=member_id if member_status is not None else None,
        member_status=_member_status(member_status),
        member_label=name or "",
        visitor_id=visitor,
    )
    return BadgeHit(view, division)


_STATUSES = {status.value for status in MemberStatus}


def _member_status(value: str | None) -> MemberStatus | None:
    """Map a stored status; any status we do not know counts as not active."""
    if value is None:
        return None
    return MemberStatus(value) if value in _STATUSES else MemberStatus.INACTIVE


def member_ids(hits: Iterable[BadgeHit]) -> list[uuid.UUID]:
    """Return the distinct member ids behind `hits`, sorted (the lock order)."""
    return sorted({hit.view.member_id for hit in hits if hit.view.member_id is not None})
