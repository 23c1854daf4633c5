"""Scan decision edges: the duplicate window against a later tap, the accepted device-clock
range, and the exact shape of each decision (direction, alerts) the ingest writes.

Found by mutation testing (`uv run python -m tools.mutation`).
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.domain.checkin import Direction
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
    check_badge,
    choose_event_time,
    decide,
)

T0 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=5)
POLICY = ScanPolicy(duplicate_window=WINDOW)
MEMBER = uuid.UUID(int=42)


def badge(**overrides: object) -> BadgeView:
    values: dict[str, object] = {
        "badge_id": uuid.UUID(int=1),
        "serial": "04A1B2C3",
        "status": BadgeStatus.ACTIVE,
        "assignment": AssignmentType.MEMBER,
        "member_id": MEMBER,
        "member_status": MemberStatus.ACTIVE,
        "member_label": "S1 Smith, J",
    }
    values.update(overrides)
    return BadgeView(**values)  # type: ignore[arg-type]


def tap(
    view: BadgeView | None,
    *,
    last: LastCheckin | None = None,
    following: datetime | None = None,
    holds_lockup: bool = False,
) -> ScanDecision:
    return decide(
        view,
        uid="04A1B2C3",
        at=T0,
        last=last,
        holds_lockup=holds_lockup,
        policy=POLICY,
        following=following,
    )


class TestDuplicateWindowAgainstALaterTap:
    def test_a_later_tap_exactly_one_window_away_is_not_a_duplicate(self) -> None:
        assert tap(badge(), following=T0 + WINDOW).result is ScanResult.CHECKED_IN

    def test_a_later_tap_just_inside_the_window_is_a_duplicate(self) -> None:
        decision = tap(badge(), following=T0 + WINDOW - timedelta(microseconds=1))
        assert decision == ScanDecision(ScanResult.DUPLICATE)

    def test_an_earlier_tap_just_inside_the_window_is_a_duplicate(self) -> None:
        last = LastCheckin(Direction.IN, T0 - WINDOW + timedelta(microseconds=1))
        assert tap(badge(), last=last) == ScanDecision(ScanResult.DUPLICATE)

    def test_a_duplicate_of_an_inactive_member_raises_no_second_alert(self) -> None:
        last = LastCheckin(Direction.IN, T0 - timedelta(seconds=1))
        decision = tap(badge(member_status=MemberStatus.INACTIVE), last=last)
        assert decision == ScanDecision(ScanResult.DUPLICATE, alerts=())
        decision = tap(badge(member_status=MemberStatus.INACTIVE), following=T0)
        assert decision == ScanDecision(ScanResult.DUPLICATE, alerts=())


class TestDecisionShape:
    def test_an_ordinary_check_in_has_a_direction_and_no_alerts(self) -> None:
        assert tap(badge()) == ScanDecision(ScanResult.CHECKED_IN, direction=Direction.IN)

    def test_an_inactive_member_alert_is_keyed_by_member(self) -> None:
        decision = tap(badge(member_status=MemberStatus.LEAVE))
        assert decision.result is ScanResult.CHECKED_IN
        [alert] = decision.alerts
        assert (alert.type, alert.severity, alert.subject) == (
            AlertType.INACTIVE_MEMBER,
            Severity.WARNING,
            str(MEMBER),
        )
        assert "S1 Smith, J" in alert.message

    def test_a_blocked_checkout_keeps_the_inactive_member_alert(self) -> None:
        last = LastCheckin(Direction.IN, T0 - timedelta(hours=1))
        decision = tap(badge(member_status=MemberStatus.INACTIVE), last=last, holds_lockup=True)
        assert decision.result is ScanResult.LOCKUP_HELD
        assert [a.type for a in decision.alerts] == [AlertType.INACTIVE_MEMBER]

    def test_a_blocked_checkout_of_an_active_member_has_no_alerts(self) -> None:
        last = LastCheckin(Direction.IN, T0 - timedelta(hours=1))
        assert tap(badge(), last=last, holds_lockup=True) == ScanDecision(ScanResult.LOCKUP_HELD)

    def test_a_visitor_badge_writes_an_out(self) -> None:
        view = badge(assignment=AssignmentType.VISITOR, member_id=None, visitor_id=uuid.uuid4())
        assert tap(view) == ScanDecision(
            ScanResult.CHECKED_OUT, direction=Direction.OUT, signs_out_visitor=True
        )

    def test_the_unknown_badge_alert_names_the_uid(self) -> None:
        [alert] = tap(None).alerts
        assert "04A1B2C3" in alert.message

    def test_the_disabled_badge_alert_is_keyed_by_serial(self) -> None:
        decision = check_badge(badge(status=BadgeStatus.DECOMMISSIONED, serial="ZZ9"), uid="x")
        assert decision is not None
        assert decision.alerts == (
            AlertRequest(
                AlertType.BADGE_DISABLED,
                Severity.CRITICAL,
                "ZZ9",
                "Disabled badge scanned: ZZ9 (status: decommissioned)",
            ),
        )


class TestOnlyMemberBadgesWithAMemberMayScan:
    @pytest.mark.parametrize("kind", [AssignmentType.EVENT, AssignmentType.UNASSIGNED])
    def test_a_non_member_badge_is_unassigned_even_with_a_member_id(
        self, kind: AssignmentType
    ) -> None:
        decision = tap(badge(assignment=kind))
        assert (decision.result, decision.reason) == (
            ScanResult.REJECTED,
            RejectReason.BADGE_UNASSIGNED,
        )

    def test_a_member_badge_without_a_member_is_unassigned(self) -> None:
        assert tap(badge(member_id=None)).reason is RejectReason.BADGE_UNASSIGNED


class TestDeviceClockRange:
    POLICY = ClockPolicy(max_past=timedelta(days=7), max_future=timedelta(minutes=2))

    @pytest.mark.parametrize("offset", [-timedelta(days=7), timedelta(minutes=2), timedelta(0)])
    def test_the_range_ends_are_accepted(self, offset: timedelta) -> None:
        device = T0 + offset
        chosen = choose_event_time(device, synced=True, received_at=T0, policy=self.POLICY)
        assert chosen == (device, False)

    @pytest.mark.parametrize(
        "offset",
        [
            -timedelta(days=7, microseconds=1),
            timedelta(minutes=2, microseconds=1),
        ],
    )
    def test_just_outside_falls_back_to_receipt(self, offset: timedelta) -> None:
        chosen = choose_event_time(T0 + offset, synced=True, received_at=T0, policy=self.POLICY)
        assert chosen == (T0, True)
