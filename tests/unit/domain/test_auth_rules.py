"""PIN rules and the login lockout (shared.domain.auth)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.auth import (
    LockoutPolicy,
    PinProblem,
    ThrottleState,
    after_failure,
    can_manage_level,
    check_new_pin,
    is_disallowed_pin,
    is_locked,
)

T0 = datetime(2026, 11, 26, 12, tzinfo=UTC)
POLICY = LockoutPolicy(5, timedelta(minutes=15), timedelta(hours=24))


class TestPins:
    def test_guessable_pins_are_disallowed(self) -> None:
        for pin in ("0000", "1111", "1234", "4321", "9876", "6789", "0123"):
            assert check_new_pin(pin) is PinProblem.DISALLOWED, pin

    def test_ordinary_pin_is_accepted(self) -> None:
        assert check_new_pin("2580") is None
        assert check_new_pin("1357") is None

    @given(st.text(max_size=8))
    def test_anything_not_four_ascii_digits_is_a_format_problem(self, pin: str) -> None:
        if len(pin) == 4 and pin.isascii() and pin.isdigit():
            return
        assert check_new_pin(pin) is PinProblem.FORMAT

    @given(st.from_regex(r"\A[0-9]{4}\Z"))
    def test_every_four_digit_pin_is_either_accepted_or_disallowed(self, pin: str) -> None:
        assert check_new_pin(pin) in (None, PinProblem.DISALLOWED)
        assert (check_new_pin(pin) is None) is not is_disallowed_pin(pin)

    def test_unicode_digits_are_not_pins(self) -> None:
        assert check_new_pin("١٢٣٩") is PinProblem.FORMAT


@given(st.integers(1, 6), st.integers(1, 10))
def test_an_actor_manages_only_levels_up_to_their_own(actor: int, target: int) -> None:
    assert can_manage_level(actor, target) is (target <= actor)


class TestLockout:
    def test_four_failures_do_not_lock(self) -> None:
        state = None
        for _ in range(4):
            state = after_failure(state, now=T0, policy=POLICY)
        assert not is_locked(state, now=T0)

    def test_fifth_failure_locks_for_fifteen_minutes(self) -> None:
        state = None
        for _ in range(5):
            state = after_failure(state, now=T0, policy=POLICY)
        assert is_locked(state, now=T0 + timedelta(minutes=14))
        assert not is_locked(state, now=T0 + timedelta(minutes=15, seconds=1))

    def test_failures_after_a_lockout_double_it(self) -> None:
        state = ThrottleState(5, T0, T0 + timedelta(minutes=15))
        later = T0 + timedelta(minutes=16)
        state = after_failure(state, now=later, policy=POLICY)
        assert state.locked_until == later + timedelta(minutes=30)

    def test_old_failures_below_the_limit_are_forgotten(self) -> None:
        state = ThrottleState(4, T0)
        state = after_failure(state, now=T0 + timedelta(hours=1), policy=POLICY)
        assert state.failures == 1 and state.locked_until is None

    @given(st.integers(1, 200))
    def test_lockout_never_exceeds_the_cap(self, failures: int) -> None:
        state = None
        for _ in range(failures):
            state = after_failure(state, now=T0, policy=POLICY)
        assert state is not None
        if state.locked_until is not None:
            assert state.locked_until - T0 <= POLICY.max_lockout
        assert (state.locked_until is not None) is (failures >= POLICY.max_failures)
