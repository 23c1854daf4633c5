"""Login lockout and PIN edges: the exact end of a lockout and of the failure memory, a policy
change during a lockout, and what `is_disallowed_pin` says about non-PINs.

Found by mutation testing (`uv run python -m tools.mutation`).
"""

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.auth import (
    LockoutPolicy,
    ThrottleState,
    after_failure,
    is_disallowed_pin,
    is_locked,
)

T0 = datetime(2026, 11, 26, 12, tzinfo=UTC)
POLICY = LockoutPolicy(5, timedelta(minutes=15), timedelta(hours=24))


def test_a_lockout_ends_exactly_at_locked_until() -> None:
    state = ThrottleState(5, T0, T0 + timedelta(minutes=15))
    assert is_locked(state, now=T0 + timedelta(minutes=15) - timedelta(microseconds=1))
    assert not is_locked(state, now=T0 + timedelta(minutes=15))


def test_failures_exactly_one_lockout_old_are_still_remembered() -> None:
    state = after_failure(ThrottleState(4, T0), now=T0 + timedelta(minutes=15), policy=POLICY)
    assert state.failures == 5 and state.locked_until == T0 + timedelta(minutes=30)


def test_the_lockout_keeps_the_time_of_the_first_failure() -> None:
    state = None
    for minute in range(5):
        state = after_failure(state, now=T0 + timedelta(minutes=minute), policy=POLICY)
    assert state == ThrottleState(5, T0, T0 + timedelta(minutes=4 + 15))


def test_raising_the_limit_does_not_lift_a_running_lockout() -> None:
    # Five failures locked the account; the admin then allows ten. The running lockout stands,
    # even though the failures are older than one lockout length.
    locked = ThrottleState(5, T0, T0 + timedelta(hours=2))
    relaxed = LockoutPolicy(10, timedelta(minutes=15), timedelta(hours=24))
    state = after_failure(locked, now=T0 + timedelta(hours=1), policy=relaxed)
    assert state == ThrottleState(6, T0, T0 + timedelta(hours=2))
    assert is_locked(state, now=T0 + timedelta(hours=1))


@pytest.mark.parametrize("pin", ["12", "12345", "123", "abcd", "١٢٣٤", "1 23"])
def test_something_that_is_not_a_pin_is_not_a_disallowed_pin(pin: str) -> None:
    assert not is_disallowed_pin(pin)
