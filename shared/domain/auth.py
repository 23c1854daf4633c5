"""Account levels, API-key scopes, PIN rules and the login lockout rule (domain.md §10)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from itertools import pairwise


class Level(IntEnum):
    """Account levels, compared with ≥ (domain.md §10.2)."""

    BASIC = 1
    QUARTERMASTER = 2
    LOCKUP = 3
    COMMAND = 4
    ADMIN = 5
    DEVELOPER = 6


MAX_ASSIGNABLE_LEVEL = Level.DEVELOPER


class Scope(StrEnum):
    """What an API key may do; a key acts only through routes that name one of its scopes."""

    PRESENCE_READ = "presence:read"
    MEMBERS_READ = "members:read"
    MEMBERS_WRITE = "members:write"
    BADGES_READ = "badges:read"
    BADGES_WRITE = "badges:write"
    VISITORS_READ = "visitors:read"
    VISITORS_WRITE = "visitors:write"
    CHECKINS_READ = "checkins:read"
    CHECKINS_WRITE = "checkins:write"
    REFERENCE_READ = "reference:read"
    IMPORT_WRITE = "import:write"
    AUDIT_READ = "audit:read"
    SETTINGS_READ = "settings:read"
    SETTINGS_WRITE = "settings:write"


class PinProblem(StrEnum):
    """Why a new PIN is refused."""

    FORMAT = "pin_format"
    DISALLOWED = "pin_disallowed"


def is_disallowed_pin(pin: str) -> bool:
    """Return True for guessable PINs: one repeated digit or a run up or down (§10.3 step 1)."""
    if len(pin) != 4 or not pin.isdigit() or not pin.isascii():
        return False
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in pairwise(digits)}
    return steps in ({0}, {1}, {-1})


def check_new_pin(pin: str) -> PinProblem | None:
    """Return why `pin` cannot be a member's PIN, or None when it can."""
    if len(pin) != 4 or not pin.isascii() or not pin.isdigit():
        return PinProblem.FORMAT
    if is_disallowed_pin(pin):
        return PinProblem.DISALLOWED
    return None


def can_manage_level(actor_level: int, target_level: int) -> bool:
    """An actor may set or change accounts only up to their own level (domain.md §10.2)."""
    return target_level <= actor_level


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """Failures allowed before a lockout, and the lockout length (doubled per extra failure).

    Failures older than `lockout` with no lockout running are forgotten.
    """

    max_failures: int
    lockout: timedelta
    max_lockout: timedelta


@dataclass(frozen=True, slots=True)
class ThrottleState:
    """Failed attempts for one badge or address since `first_failed_at`."""

    failures: int
    first_failed_at: datetime
    locked_until: datetime | None = None


def is_locked(state: ThrottleState | None, *, now: datetime) -> bool:
    """Return True while a lockout is running."""
    return state is not None and state.locked_until is not None and state.locked_until > now


def after_failure(
    state: ThrottleState | None, *, now: datetime, policy: LockoutPolicy
) -> ThrottleState:
    """Count one more failure; from `max_failures` on, lock out with exponential back-off.

    domain.md §10.6 and Appendix B 4: the source had no brute-force protection.
    """
    stale = (
        state is not None
        and not is_locked(state, now=now)
        and state.failures < policy.max_failures
        and now - state.first_failed_at > policy.lockout
    )
    if state is None or stale:
        state = ThrottleState(0, now)
    failures = state.failures + 1
    if failures < policy.max_failures:
        return ThrottleState(failures, state.first_failed_at, state.locked_until)
    extra = min(failures - policy.max_failures, 16)
    length = min(policy.lockout * (2**extra), policy.max_lockout)
    return ThrottleState(failures, state.first_failed_at, now + length)
