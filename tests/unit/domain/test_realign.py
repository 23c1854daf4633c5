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


@given(directions, st.lists(st.tuples(directions, st.booleans()), max_size=30))
def test_fixed_check_ins_keep_their_direction_and_the_next_ones_toggle_them(
    first: Direction, later: list[tuple[Direction, bool]]
) -> None:
    fixed = {i for i, (_, is_fixed) in enumerate(later) if is_fixed}
    changes = realign(first, [(i, d) for i, (d, _) in enumerate(later)], fixed)
    assert not fixed & set(changes)
    result = [first, *(changes.get(i, d) for i, (d, _) in enumerate(later))]
    for i, (a, b) in enumerate(itertools.pairwise(result)):
        if i not in fixed:
            assert b is toggle(a)


def test_a_daily_reset_stops_the_flips_it_would_otherwise_get() -> None:
    later = [("reset", Direction.OUT), ("morning", Direction.IN)]
    assert realign(Direction.OUT, later, fixed={"reset"}) == {}
    assert realign(Direction.OUT, later) == {"reset": Direction.IN, "morning": Direction.OUT}
