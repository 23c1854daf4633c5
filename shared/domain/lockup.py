"""Lockup rules: who may hold, open, transfer and execute, and the 22:00/23:00 reminders.

Lockup is a transferable token held by one checked-in member with lockup authority
(domain.md §0.2 rules 4–5, §6). The checks raise `RuleViolation`/`Forbidden` for a refused
command; the reminder rule returns the alerts to raise.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.errors import Forbidden, RuleViolation


class BuildingStatus(StrEnum):
    """Building status of a lockup cycle (domain.md §6.1)."""

    SECURED = "secured"
    OPEN = "open"
    LOCKING_UP = "locking_up"


class TransferReason(StrEnum):
    """Why lockup changed hands (domain.md §6.2)."""

    MANUAL = "manual"
    CHECKOUT_TRANSFER = "checkout_transfer"
    DDS_HANDOFF = "dds_handoff"
    DUTY_WATCH_TAKEOVER = "duty_watch_takeover"


class LockupAction(StrEnum):
    """Responsibility-log actions for the `Lockup` tag (domain.md §1.4)."""

    ACQUIRED = "acquired"
    BUILDING_OPENED = "building_opened"
    TRANSFERRED = "transferred"
    BUILDING_LOCKUP = "building_lockup"


class ReminderPhase(StrEnum):
    """The two reminder times of the evening (domain.md §0.2 rule 8)."""

    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class LockupView:
    """The current cycle as the rules see it."""

    status: BuildingStatus
    holder_id: UUID | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member as the authority rule sees them (domain.md §6.2)."""

    member_id: UUID
    is_present: bool
    has_lockup_qualification: bool
    is_todays_dds: bool


def has_authority(candidate: Candidate, *, holder_id: UUID | None) -> bool:
    """Holder, or an active lockup-eligible qualification, or today's DDS (§0.2 rule 5)."""
    return (
        candidate.member_id == holder_id
        or candidate.has_lockup_qualification
        or candidate.is_todays_dds
    )


def _require_present_with_authority(candidate: Candidate, *, holder_id: UUID | None) -> None:
    if not has_authority(candidate, holder_id=holder_id):
        raise Forbidden("not_qualified", "The member has no lockup authority")
    if not candidate.is_present:
        raise RuleViolation("member_not_present", "The member must be checked in")


def check_acquire(view: LockupView, candidate: Candidate) -> None:
    """Acquire needs nobody holding, authority and presence (domain.md §6.2)."""
    if view.holder_id is not None:
        raise RuleViolation("already_held", "Lockup is already held", {"holder_id": view.holder_id})
    _require_present_with_authority(candidate, holder_id=None)


def check_open(view: LockupView, candidate: Candidate) -> None:
    """Opening needs a secured building, authority and presence (domain.md §6.2)."""
    if view.status is not BuildingStatus.SECURED:
        raise RuleViolation("invalid_state", f"The building is {view.status}, not secured")
    _require_present_with_authority(candidate, holder_id=view.holder_id)


def check_transfer(view: LockupView, recipient: Candidate) -> None:
    """A transfer needs a holder and a present recipient with authority (domain.md §6.2)."""
    if view.holder_id is None:
        raise RuleViolation("no_active_lockup", "Nobody holds lockup")
    if recipient.member_id == view.holder_id:
        raise RuleViolation("same_member", "The recipient already holds lockup")
    _require_present_with_authority(recipient, holder_id=None)


def check_execute(view: LockupView, performer: Candidate, *, is_admin: bool) -> None:
    """The holder, a member with authority, or an admin may lock up (domain.md §6.2, §6.5)."""
    if view.status is BuildingStatus.LOCKING_UP:
        raise RuleViolation("invalid_state", "A lockup is already being executed")
    if view.status is BuildingStatus.SECURED and view.holder_id is None:
        raise RuleViolation("invalid_state", "The building is already secured")
    if not (is_admin or has_authority(performer, holder_id=view.holder_id)):
        raise Forbidden("not_qualified", "The member has no lockup authority")


def eligible_recipients(candidates: list[Candidate], *, holder_id: UUID | None) -> list[UUID]:
    """Present members with authority, other than the holder, in the given order."""
    return [
        c.member_id
        for c in candidates
        if c.is_present and c.member_id != holder_id and has_authority(c, holder_id=None)
    ]


def reminder_alerts(
    view: LockupView, *, phase: ReminderPhase, on: date, holder_label: str | None
) -> list[AlertRequest]:
    """Alerts for an unsecured building at the warning or critical time (domain.md §4.2).

    The subject carries the operational date and phase, so the 22:00 and 23:00 alerts of one
    night are distinct (Appendix B.8) while a re-run of the same phase is rate-limited.
    """
    if view.status is BuildingStatus.SECURED:
        return []
    subject = f"{on.isoformat()}:{phase}"
    if view.holder_id is None:
        return [
            AlertRequest(
                AlertType.LOCKUP_NOT_EXECUTED,
                Severity.CRITICAL,
                subject,
                "Lockup Unassigned: the building is not secured and nobody holds lockup",
            )
        ]
    holder = holder_label or "an unknown member"
    if phase is ReminderPhase.WARNING:
        return [
            AlertRequest(
                AlertType.LOCKUP_REMINDER,
                Severity.WARNING,
                subject,
                f"Lockup Reminder: the building is not secured; {holder} holds lockup",
            )
        ]
    return [
        AlertRequest(
            AlertType.LOCKUP_NOT_EXECUTED,
            Severity.CRITICAL,
            subject,
            f"Lockup Overdue: the building is still not secured; {holder} holds lockup",
        )
    ]
