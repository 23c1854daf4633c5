"""Badge rules: the canonical serial (UID) form and what each status allows (domain.md §1.2)."""

import re

from shared.domain.scan import AssignmentType, BadgeStatus

_SEPARATORS = re.compile(r"[\s:\-]")
_HEX = re.compile(r"^[0-9A-F]+$")
MIN_UID_BYTES, MAX_UID_BYTES = 4, 10


def normalize_serial(raw: str) -> str | None:
    """Return the canonical serial: uppercase hex of 4–10 bytes, separators removed; else None.

    RC522 readers report 4-, 7- or 10-byte UIDs as uppercase hex (mqtt-contract.md `uid`);
    a 10-digit decimal serial from a keyboard-wedge reader is also well-formed hex here.
    """
    cleaned = _SEPARATORS.sub("", raw).upper()
    if len(cleaned) % 2 or not _HEX.match(cleaned):
        return None
    if not MIN_UID_BYTES <= len(cleaned) // 2 <= MAX_UID_BYTES:
        return None
    return cleaned


def assignment_problem(
    status: BadgeStatus, assignment: AssignmentType, *, member_has_badge: bool
) -> str | None:
    """Return why a badge cannot be assigned to a member, or None (BadgeService rules)."""
    if status is BadgeStatus.DECOMMISSIONED:
        return "badge_decommissioned"
    if assignment is not AssignmentType.UNASSIGNED:
        return "badge_already_assigned"
    if member_has_badge:
        return "member_has_badge"
    return None


def temporary_badge_problem(
    status: BadgeStatus, assignment: AssignmentType, *, held_by_open_visit: bool
) -> str | None:
    """Return why a badge cannot be lent to a visitor, or None (domain.md §7.3 [REC])."""
    if status is not BadgeStatus.ACTIVE:
        return "badge_inactive"
    if assignment not in (AssignmentType.VISITOR, AssignmentType.UNASSIGNED):
        return "badge_not_for_visitors"
    if held_by_open_visit:
        return "badge_in_use"
    return None
