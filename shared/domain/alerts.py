"""Alert vocabulary and the rate-limit rule per (type, subject) (domain.md §4.2, §4.3 [REC])."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class AlertType(StrEnum):
    """Alert types (domain.md §4.2) plus the reader-fleet ones (§13.2)."""

    BADGE_UNKNOWN = "badge_unknown"
    BADGE_DISABLED = "badge_disabled"
    INACTIVE_MEMBER = "inactive_member"
    UNAUTHORIZED_ACCESS = "unauthorized_access"
    LOCKUP_REMINDER = "lockup_reminder"
    LOCKUP_NOT_EXECUTED = "lockup_not_executed"
    DUTY_WATCH_MISSING = "duty_watch_missing"
    DUTY_WATCH_NOT_CHECKED_IN = "duty_watch_not_checked_in"
    BUILDING_NOT_SECURED = "building_not_secured"
    MEMBER_MISSED_CHECKOUT = "member_missed_checkout"
    DEVICE_OFFLINE = "device_offline"
    READER_OUTBOX_DROPPED = "reader_outbox_dropped"
    READER_UNREGISTERED = "reader_unregistered"
    SYSTEM = "system"


class Severity(StrEnum):
    """Alert severity."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class AlertStatus(StrEnum):
    """Alert lifecycle (domain.md §4.4)."""

    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class AlertRequest:
    """An alert a rule wants raised; the edge applies the rate limit and stores it."""

    type: AlertType
    severity: Severity
    subject: str
    message: str


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `threshold` alerts per (type, subject) within `window`."""

    threshold: int = 1
    window: timedelta = timedelta(minutes=60)


def is_suppressed(recent: list[datetime], *, now: datetime, limit: RateLimit) -> bool:
    """Return True when `recent` alerts of the same (type, subject) already fill the window.

    `recent` holds the creation times of earlier alerts with the same type and subject
    (domain.md §4.3, keyed per subject as [REC] says so different badges are not hidden).
    """
    since = now - limit.window
    return sum(1 for created_at in recent if created_at > since) >= limit.threshold
