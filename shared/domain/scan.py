"""The scan decision: badge checks, direction toggle, duplicate window, lockup block.

Implements domain.md §2.11 steps 4–9 as pure functions. The ingest `apply` stage loads the
inputs, calls `decide` for each event in device-time order per member, and writes the result.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.domain.checkin import Direction, toggle


class ScanResult(StrEnum):
    """What the reader is told (mqtt-contract.md `result`)."""

    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    LOCKUP_HELD = "lockup_held"
    ERROR = "error"


class RejectReason(StrEnum):
    """Why a scan was rejected or errored (mqtt-contract.md `reason`)."""

    BADGE_UNKNOWN = "badge_unknown"
    BADGE_INACTIVE = "badge_inactive"
    BADGE_UNASSIGNED = "badge_unassigned"
    VISITOR_BADGE = "visitor_badge"
    MEMBER_INACTIVE = "member_inactive"
    CLOCK_INVALID = "clock_invalid"
    READER_NOT_ACCEPTED = "reader_not_accepted"
    INVALID_PAYLOAD = "invalid_payload"


class BadgeStatus(StrEnum):
    """Badge status (domain.md §1.2); only `active` badges may scan."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    LOST = "lost"
    DAMAGED = "damaged"
    DECOMMISSIONED = "decommissioned"


class AssignmentType(StrEnum):
    """Who a badge belongs to (domain.md §1.2)."""

    MEMBER = "member"
    VISITOR = "visitor"
    EVENT = "event"
    UNASSIGNED = "unassigned"


class MemberStatus(StrEnum):
    """Operational member status used by presence (domain.md §1.2)."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    LEAVE = "leave"


@dataclass(frozen=True, slots=True)
class BadgeView:
    """What the decision needs to know about a badge and its holder."""

    badge_id: UUID
    serial: str
    status: BadgeStatus
    assignment: AssignmentType
    member_id: UUID | None = None
    member_status: MemberStatus | None = None
    member_label: str = ""
    visitor_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class LastCheckin:
    """The member's latest check-in at or before the event time, if any."""

    direction: Direction
    at: datetime


@dataclass(frozen=True, slots=True)
class ScanPolicy:
    """Tunables built by the edge from settings."""

    duplicate_window: timedelta = timedelta(seconds=5)
    reject_inactive_members: bool = False


@dataclass(frozen=True, slots=True)
class ScanDecision:
    """The outcome of one scan; `direction` is set only when a check-in row is written."""

    result: ScanResult
    reason: RejectReason | None = None
    direction: Direction | None = None
    alerts: tuple[AlertRequest, ...] = ()
    signs_out_visitor: bool = False


def _rejected(reason: RejectReason, *alerts: AlertRequest) -> ScanDecision:
    return ScanDecision(ScanResult.REJECTED, reason=reason, alerts=alerts)


def check_badge(badge: BadgeView | None, *, uid: str) -> ScanDecision | None:
    """Apply the badge checks in order (§2.11 step 5); None means the badge may scan."""
    if badge is None:
        alert = AlertRequest(
            AlertType.BADGE_UNKNOWN, Severity.WARNING, uid, f"Unknown badge scanned: {uid}"
        )
        return _rejected(RejectReason.BADGE_UNKNOWN, alert)
    if badge.status is not BadgeStatus.ACTIVE:
        message = f"Disabled badge scanned: {badge.serial} (status: {badge.status})"
        alert = AlertRequest(AlertType.BADGE_DISABLED, Severity.CRITICAL, badge.serial, message)
        return _rejected(RejectReason.BADGE_INACTIVE, alert)
    if badge.assignment is AssignmentType.VISITOR:
        if badge.visitor_id is not None:
            return ScanDecision(
                ScanResult.CHECKED_OUT, direction=Direction.OUT, signs_out_visitor=True
            )
        return _rejected(RejectReason.VISITOR_BADGE)
    if badge.assignment is not AssignmentType.MEMBER or badge.member_id is None:
        return _rejected(RejectReason.BADGE_UNASSIGNED)
    return None


def decide(
    badge: BadgeView | None,
    *,
    uid: str,
    at: datetime,
    last: LastCheckin | None,
    holds_lockup: bool,
    policy: ScanPolicy,
    following: datetime | None = None,
) -> ScanDecision:
    """Decide one scan (domain.md §2.11 steps 5–9).

    `last` is the member's latest check-in at or before `at` (step 7); the caller carries it
    forward across a batch so replayed taps of one member alternate. `following` is the time
    of the member's earliest check-in after `at`, when the event arrives out of order.
    """
    refused = check_badge(badge, uid=uid)
    if refused is not None or badge is None:
        return refused or _rejected(RejectReason.BADGE_UNKNOWN)
    alerts: tuple[AlertRequest, ...] = ()
    if badge.member_status is not MemberStatus.ACTIVE:
        if policy.reject_inactive_members:
            return _rejected(RejectReason.MEMBER_INACTIVE)
        message = f"Inactive member checked in: {badge.member_label}"
        subject = str(badge.member_id)
        alerts = (AlertRequest(AlertType.INACTIVE_MEMBER, Severity.WARNING, subject, message),)
    # Step 8: the window is keyed by member and measured against the latest event.
    if last is not None and abs(at - last.at) < policy.duplicate_window:
        return ScanDecision(ScanResult.DUPLICATE, alerts=())
    if following is not None and abs(following - at) < policy.duplicate_window:
        # Decided after a tap it preceded (another door, another worker): still one tap.
        return ScanDecision(ScanResult.DUPLICATE, alerts=())
    direction = toggle(last.direction if last else None)
    if direction is Direction.OUT and holds_lockup:
        # Step 9 / §6.3: the holder cannot check out until lockup is transferred or executed.
        return ScanDecision(ScanResult.LOCKUP_HELD, alerts=alerts)
    result = ScanResult.CHECKED_IN if direction is Direction.IN else ScanResult.CHECKED_OUT
    return ScanDecision(result, direction=direction, alerts=alerts)


@dataclass(frozen=True, slots=True)
class ClockPolicy:
    """Accepted device-clock range around the receive time (§2.11 step 4)."""

    max_past: timedelta = timedelta(days=7)
    max_future: timedelta = timedelta(minutes=2)


def choose_event_time(
    device_at: datetime | None,
    *,
    synced: bool,
    received_at: datetime,
    policy: ClockPolicy,
) -> tuple[datetime, bool]:
    """Return (event time, clock_suspect): device time if synced and in range, else receipt."""
    if device_at is None or not synced:
        return received_at, True
    if received_at - policy.max_past <= device_at <= received_at + policy.max_future:
        return device_at, False
    return received_at, True
