"""DDS rules: first operational day, weekly handover, current DDS, take-up plans (§5.6)."""

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.dds import (
    DdsSource,
    DdsStatus,
    LiveRow,
    PlanKind,
    Scheduled,
    first_operational_day,
    is_handover_pending,
    plan_accept,
    plan_assign,
    resolve_current,
    should_create_pending,
)
from shared.errors import RuleViolation

MONDAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)).map(
    lambda d: d - timedelta(days=d.weekday())
)


@given(MONDAYS, st.sets(st.integers(0, 6)))
def test_first_operational_day_is_the_first_weekday_that_is_no_holiday(
    monday: date, offsets: set[int]
) -> None:
    holidays = {monday + timedelta(days=i) for i in offsets}
    first = first_operational_day(monday, holidays)
    weekdays = [monday + timedelta(days=i) for i in range(5)]
    open_days = [d for d in weekdays if d not in holidays]
    assert first == (open_days[0] if open_days else monday)


def test_a_monday_holiday_moves_the_handover_to_tuesday() -> None:
    monday = date(2026, 10, 12)  # Thanksgiving
    assert first_operational_day(monday, {monday}) == date(2026, 10, 13)


class TestHandover:
    A, B = uuid.uuid4(), uuid.uuid4()

    def test_pending_from_the_first_day_until_someone_else_is_assigned(self) -> None:
        first = date(2026, 11, 23)
        assert is_handover_pending(
            on=first,
            first_day=first,
            outgoing=self.A,
            incoming=self.B,
            assigned_to_other_since_first_day=False,
        )
        assert not is_handover_pending(
            on=first,
            first_day=first,
            outgoing=self.A,
            incoming=self.B,
            assigned_to_other_since_first_day=True,
        )

    def test_not_pending_before_the_first_day_or_for_the_same_person(self) -> None:
        first = date(2026, 10, 13)
        assert not is_handover_pending(
            on=first - timedelta(days=1),
            first_day=first,
            outgoing=self.A,
            incoming=self.B,
            assigned_to_other_since_first_day=False,
        )
        assert not is_handover_pending(
            on=first,
            first_day=first,
            outgoing=self.A,
            incoming=self.A,
            assigned_to_other_since_first_day=False,
        )


class TestCurrent:
    M = uuid.uuid4()

    def test_a_live_row_wins(self) -> None:
        row = LiveRow(uuid.uuid4(), self.M, DdsStatus.PENDING)
        current = resolve_current(
            today_row=row,
            handover_pending=True,
            outgoing=uuid.uuid4(),
            scheduled=Scheduled(uuid.uuid4(), True),
        )
        assert (current.member_id, current.source, current.status) == (
            self.M,
            DdsSource.ASSIGNMENT,
            DdsStatus.PENDING,
        )

    def test_handover_keeps_the_outgoing_dds_live(self) -> None:
        current = resolve_current(
            today_row=None, handover_pending=True, outgoing=self.M, scheduled=None
        )
        assert current.is_active and current.source is DdsSource.HANDOVER

    def test_schedule_is_pending_unless_confirmed(self) -> None:
        pending = resolve_current(
            today_row=None,
            handover_pending=False,
            outgoing=None,
            scheduled=Scheduled(self.M, False),
        )
        confirmed = resolve_current(
            today_row=None, handover_pending=False, outgoing=None, scheduled=Scheduled(self.M, True)
        )
        assert pending.status is DdsStatus.PENDING and confirmed.status is DdsStatus.ACTIVE


class TestAccept:
    M, OTHER = uuid.uuid4(), uuid.uuid4()

    def test_accepting_twice_is_idempotent(self) -> None:
        row = LiveRow(uuid.uuid4(), self.M, DdsStatus.ACTIVE)
        plan = plan_accept(self.M, today_row=row, handover_pending=False, outgoing=None)
        assert plan.kind is PlanKind.UNCHANGED

    def test_someone_else_active_is_a_conflict(self) -> None:
        row = LiveRow(uuid.uuid4(), self.OTHER, DdsStatus.ACTIVE)
        with pytest.raises(RuleViolation) as refused:
            plan_accept(self.M, today_row=row, handover_pending=False, outgoing=None)
        assert refused.value.code == "dds_already_accepted"

    def test_during_handover_only_the_outgoing_may_accept(self) -> None:
        with pytest.raises(RuleViolation, match="handover"):
            plan_accept(self.M, today_row=None, handover_pending=True, outgoing=self.OTHER)
        plan = plan_accept(self.M, today_row=None, handover_pending=True, outgoing=self.M)
        assert plan.kind is PlanKind.CREATE

    def test_someone_elses_pending_row_is_taken_over(self) -> None:
        row = LiveRow(uuid.uuid4(), self.OTHER, DdsStatus.PENDING)
        plan = plan_accept(self.M, today_row=row, handover_pending=False, outgoing=None)
        assert plan.kind is PlanKind.TAKE_OVER and plan.from_member_id == self.OTHER

    def test_own_pending_row_is_activated(self) -> None:
        row = LiveRow(uuid.uuid4(), self.M, DdsStatus.PENDING)
        assert plan_accept(self.M, today_row=row, handover_pending=False, outgoing=None).kind is (
            PlanKind.ACTIVATE
        )


def test_admin_assignment_during_handover_transfers_from_the_outgoing() -> None:
    outgoing, incoming = uuid.uuid4(), uuid.uuid4()
    plan = plan_assign(incoming, today_row=None, handover_pending=True, outgoing=outgoing)
    assert plan.kind is PlanKind.CREATE and plan.from_member_id == outgoing


@given(st.none() | st.uuids(), st.booleans(), st.booleans())
def test_pending_row_only_from_a_schedule_outside_handover(
    scheduled: uuid.UUID | None, has_row: bool, handover: bool
) -> None:
    made = should_create_pending(
        scheduled=scheduled, has_live_row=has_row, handover_pending=handover
    )
    assert made is (scheduled is not None and not has_row and not handover)
