"""The scan decision (domain.md §2.11) as a pure function."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.alerts import AlertType, Severity
from shared.domain.checkin import Direction, toggle
from shared.domain.scan import (
    AssignmentType,
    BadgeStatus,
    BadgeView,
    ClockPolicy,
    LastCheckin,
    MemberStatus,
    RejectReason,
    ScanDecision,
    ScanPolicy,
    ScanResult,
    choose_event_time,
    decide,
)

T0 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
POLICY = ScanPolicy()


def member_badge(**overrides: object) -> BadgeView:
    values: dict[str, object] = {
        "badge_id": uuid.uuid4(),
        "serial": "04A1B2C3",
        "status": BadgeStatus.ACTIVE,
        "assignment": AssignmentType.MEMBER,
        "member_id": uuid.uuid4(),
        "member_status": MemberStatus.ACTIVE,
        "member_label": "S1 Smith, J",
    }
    values.update(overrides)
    return BadgeView(**values)  # type: ignore[arg-type]


def run(
    badge: BadgeView | None,
    last: LastCheckin | None = None,
    *,
    at: datetime = T0,
    holds_lockup: bool = False,
    policy: ScanPolicy = POLICY,
) -> ScanDecision:
    return decide(badge, uid="04A1B2C3", at=at, last=last, holds_lockup=holds_lockup, policy=policy)


class TestBadgeChecks:
    def test_unknown_badge_is_rejected_with_a_warning_alert_keyed_by_uid(self) -> None:
        decision = run(None)
        assert (decision.result, decision.reason) == (
            ScanResult.REJECTED,
            RejectReason.BADGE_UNKNOWN,
        )
        [alert] = decision.alerts
        assert (alert.type, alert.severity, alert.subject) == (
            AlertType.BADGE_UNKNOWN,
            Severity.WARNING,
            "04A1B2C3",
        )

    def test_lost_badge_is_rejected_with_a_critical_alert(self) -> None:
        decision = run(member_badge(status=BadgeStatus.LOST))
        assert decision.reason is RejectReason.BADGE_INACTIVE
        assert decision.alerts[0].type is AlertType.BADGE_DISABLED
        assert decision.alerts[0].severity is Severity.CRITICAL
        assert "lost" in decision.alerts[0].message

    def test_status_is_checked_before_assignment(self) -> None:
        badge = member_badge(status=BadgeStatus.DAMAGED, assignment=AssignmentType.UNASSIGNED)
        assert run(badge).reason is RejectReason.BADGE_INACTIVE

    def test_unassigned_and_event_badges_are_rejected_without_alert(self) -> None:
        for kind in (AssignmentType.UNASSIGNED, AssignmentType.EVENT):
            decision = run(member_badge(assignment=kind, member_id=None))
            assert decision.reason is RejectReason.BADGE_UNASSIGNED
            assert decision.alerts == ()

    def test_visitor_badge_signs_out_its_visitor(self) -> None:
        badge = member_badge(
            assignment=AssignmentType.VISITOR, member_id=None, visitor_id=uuid.uuid4()
        )
        decision = run(badge)
        assert decision.result is ScanResult.CHECKED_OUT and decision.signs_out_visitor

    def test_visitor_badge_without_visitor_is_rejected(self) -> None:
        badge = member_badge(assignment=AssignmentType.VISITOR, member_id=None)
        assert run(badge).reason is RejectReason.VISITOR_BADGE


class TestMemberRules:
    def test_inactive_member_is_accepted_with_alert_by_default(self) -> None:
        decision = run(member_badge(member_status=MemberStatus.INACTIVE))
        assert decision.result is ScanResult.CHECKED_IN
        assert [a.type for a in decision.alerts] == [AlertType.INACTIVE_MEMBER]

    def test_inactive_member_is_rejected_when_policy_says_so(self) -> None:
        policy = ScanPolicy(reject_inactive_members=True)
        decision = run(member_badge(member_status=MemberStatus.INACTIVE), policy=policy)
        assert decision.reason is RejectReason.MEMBER_INACTIVE

    def test_lockup_holder_cannot_check_out(self) -> None:
        last = LastCheckin(Direction.IN, T0 - timedelta(hours=1))
        decision = run(member_badge(), last, holds_lockup=True)
        assert decision.result is ScanResult.LOCKUP_HELD and decision.direction is None

    def test_lockup_holder_may_check_in(self) -> None:
        assert run(member_badge(), None, holds_lockup=True).result is ScanResult.CHECKED_IN

    def test_tap_exactly_at_window_edge_is_not_duplicate(self) -> None:
        last = LastCheckin(Direction.IN, T0 - POLICY.duplicate_window)
        assert run(member_badge(), last).result is ScanResult.CHECKED_OUT

    def test_tap_inside_window_is_duplicate_even_before_last(self) -> None:
        last = LastCheckin(Direction.IN, T0 + timedelta(seconds=2))
        assert run(member_badge(), last).result is ScanResult.DUPLICATE


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40))
def test_sequence_of_taps_alternates_and_duplicates_write_nothing(offsets: list[int]) -> None:
    """Any sequence of one member's taps, decided in time order with a running state."""
    badge = member_badge()
    last: LastCheckin | None = None
    written: list[LastCheckin] = []
    for offset in sorted(offsets):
        at = T0 + timedelta(seconds=offset)
        decision = run(badge, last, at=at)
        if decision.result is ScanResult.DUPLICATE:
            assert last is not None and at - last.at < POLICY.duplicate_window
            continue
        assert decision.direction is toggle(last.direction if last else None)
        last = LastCheckin(decision.direction, at)
        written.append(last)
    directions = [row.direction for row in written]
    assert directions[::2] == [Direction.IN] * len(directions[::2])
    assert directions[1::2] == [Direction.OUT] * len(directions[1::2])
    gaps = [b.at - a.at for a, b in itertools.pairwise(written)]
    assert all(gap >= POLICY.duplicate_window for gap in gaps)


class TestEventTime:
    policy = ClockPolicy()

    def test_synced_device_time_in_range_is_used(self) -> None:
        device = T0 - timedelta(days=6)
        assert choose_event_time(device, synced=True, received_at=T0, policy=self.policy) == (
            device,
            False,
        )

    def test_unsynced_clock_falls_back_to_receipt_and_flags(self) -> None:
        assert choose_event_time(T0, synced=False, received_at=T0, policy=self.policy) == (T0, True)

    @given(st.integers(min_value=-30 * 86400, max_value=30 * 86400))
    def test_result_is_never_outside_the_accepted_range(self, skew_s: int) -> None:
        device = T0 + timedelta(seconds=skew_s)
        at, suspect = choose_event_time(device, synced=True, received_at=T0, policy=self.policy)
        assert T0 - self.policy.max_past <= at <= T0 + self.policy.max_future
        assert suspect == (at != device)


def test_tap_decided_after_a_later_tap_inside_the_window_is_duplicate() -> None:
    decision = decide(
        member_badge(),
        uid="04A1B2C3",
        at=T0,
        last=None,
        holds_lockup=False,
        policy=POLICY,
        following=T0 + timedelta(seconds=2),
    )
    assert decision.result is ScanResult.DUPLICATE
    later = decide(
        member_badge(),
        uid="04A1B2C3",
        at=T0,
        last=None,
        holds_lockup=False,
        policy=POLICY,
        following=T0 + timedelta(minutes=1),
    )
    assert later.result is ScanResult.CHECKED_IN
