"""Badge serial canonical form and assignment rules (shared.domain.badges)."""

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.badges import assignment_problem, normalize_serial, temporary_badge_problem
from shared.domain.scan import AssignmentType, BadgeStatus


def test_separators_and_case_are_normalised() -> None:
    assert normalize_serial("04:a1:b2:c3 d4-e5-f6") == "04A1B2C3D4E5F6"


def test_wrong_lengths_and_non_hex_are_refused() -> None:
    for raw in ("", "ABC", "A1B2C3", "0123456789ABCDEF0123456789", "XYZ12345", "ABCDE"):
        assert normalize_serial(raw) is None, raw


@given(st.binary(min_size=4, max_size=10))
def test_any_uid_round_trips_as_uppercase_hex(uid: bytes) -> None:
    serial = normalize_serial(uid.hex())
    assert serial == uid.hex().upper()
    assert normalize_serial(serial) == serial


@given(st.text(max_size=40))
def test_normalising_never_raises_and_is_idempotent(raw: str) -> None:
    serial = normalize_serial(raw)
    if serial is not None:
        assert normalize_serial(serial) == serial


def test_assignment_rules() -> None:
    active, unassigned = BadgeStatus.ACTIVE, AssignmentType.UNASSIGNED
    assert assignment_problem(active, unassigned, member_has_badge=False) is None
    assert (
        assignment_problem(BadgeStatus.DECOMMISSIONED, unassigned, member_has_badge=False)
        == "badge_decommissioned"
    )
    assert (
        assignment_problem(active, AssignmentType.MEMBER, member_has_badge=False)
        == "badge_already_assigned"
    )
    assert assignment_problem(active, unassigned, member_has_badge=True) == "member_has_badge"


def test_temporary_badge_rules() -> None:
    visitor = AssignmentType.VISITOR
    assert temporary_badge_problem(BadgeStatus.ACTIVE, visitor, held_by_open_visit=False) is None
    assert (
        temporary_badge_problem(BadgeStatus.LOST, visitor, held_by_open_visit=False)
        == "badge_inactive"
    )
    assert (
        temporary_badge_problem(BadgeStatus.ACTIVE, AssignmentType.MEMBER, held_by_open_visit=False)
        == "badge_not_for_visitors"
    )
    assert (
        temporary_badge_problem(BadgeStatus.ACTIVE, visitor, held_by_open_visit=True)
        == "badge_in_use"
    )
