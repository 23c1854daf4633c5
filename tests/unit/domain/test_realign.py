"""`realign`: after a late tap, the member's later check-ins alternate again (§2.11 step 7)."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.checkin import Direction, realign, toggle

directions = st.sampled_from(list(Direction))


@given(directions, st.lists(directions, max_size=30))
def test_the_realigned_sequence_alternates_from_the_late_tap(
    first: Direction, later: list[Direction]
) -> None:
    changes = realign(first, list(enumerate(later)))
    result = [first, *(changes.get(i, d) for i, d in enumerate(later))]
    assert all(b is toggle(a) for a, b in itertools.pairwise(result))


@given(directions, st.lists(directions, max_size=30))
def test_only_check_ins_whose_direction_changes_are_returned(
    first: Direction, later: list[Direction]
) -> None:
    changes = realign(first, list(enumerate(later)))
    assert all(later[i] is not d for i, d in changes.items())


@given(directions, st.integers(min_value=0, max_value=30))
def test_an_already_alternating_history_is_left_alone(first: Direction, length: int) -> None:
    later, previous = [], first
    for _ in range(length):
        previous = toggle(previous)
        later.append(previous)
    assert realign(first, list(enumerate(later))) == {}


def test_a_check_in_before_an_in_turns_it_into_an_out() -> None:
    assert realign(Direction.IN, [("b", Direction.IN), ("c", Direction.OUT)]) == {
        "b": Direction.OUT,
        "c": Direction.IN,
    }
