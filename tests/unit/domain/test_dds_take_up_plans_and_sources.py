"""DDS: who the current DDS is (and from where), and every branch of the take-up plans.

Found by mutation testing (`uv run python -m tools.mutation`): the weekly tests never hit a
week of five holidays, and the admin assignment plan was only tested during a handover.
"""

import uuid
from datetime import date, timedelta

import pytest

from shared.domain.dds import (
    CurrentDds,
    DdsSource,
    DdsStatus,
    LiveRow,
    PlanKind,
    Scheduled,
    TakeUpPlan,
    first_operational_day,
    plan_accept,
    plan_assign,
    resolve_current,
)
from shared.errors import RuleViolation

ME, OTHER, OUTGOING = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
ROW_ID = uuid.UUID(int=99)


def row(member_id: uuid.UUID, status: DdsStatus) -> LiveRow:
    return LiveRow(ROW_ID, member_id, status)


def test_a_week_of_five_holidays_falls_back_to_monday_not_the_weekend() -> None:
    monday = date(2026, 12, 21)
    holidays = {monday + timedelta(days=i) for i in range(5)}
    assert first_operational_day(monday, holidays) == monday


class TestCurrentDdsAndItsSource:
    def test_a_live_row_is_the_assignment_with_its_id(self) -> None:
        current = resolve_current(
            today_row=row(ME, DdsStatus.ACTIVE),
            handover_pending=False,
            outgoing=None,
            scheduled=None,
        )
        assert current == CurrentDds(ME, DdsStatus.ACTIVE, DdsSource.ASSIGNMENT, ROW_ID)

    def test_the_outgoing_dds_is_live_during_handover(self) -> None:
        current = resolve_current(
            today_row=None, handover_pending=True, outgoing=OUTGOING, scheduled=Scheduled(ME, True)
        )
        assert current == CurrentDds(OUTGOING, DdsStatus.ACTIVE, DdsSource.HANDOVER)

    def test_an_outgoing_dds_without_a_pending_handover_is_ignored(self) -> None:
        current = resolve_current(
            today_row=None,
            handover_pending=False,
            outgoing=OUTGOING,
            scheduled=Scheduled(ME, False),
        )
        assert current == CurrentDds(ME, DdsStatus.PENDING, DdsSource.SCHEDULE)

    def test_a_pending_handover_without_an_outgoing_dds_falls_to_the_schedule(self) -> None:
        current = resolve_current(
            today_row=None, handover_pending=True, outgoing=None, scheduled=Scheduled(ME, True)
        )
        assert current == CurrentDds(ME, DdsStatus.ACTIVE, DdsSource.SCHEDULE)

    def test_nothing_at_all_is_no_dds(self) -> None:
        current = resolve_current(
            today_row=None, handover_pending=False, outgoing=None, scheduled=None
        )
        assert current == CurrentDds(None, None, DdsSource.NONE)
        assert not current.is_active


class TestSelfAccept:
    def test_taking_over_someone_elses_pending_row_replaces_it(self) -> None:
        theirs = row(OTHER, DdsStatus.PENDING)
        plan = plan_accept(ME, today_row=theirs, handover_pending=False, outgoing=None)
        assert plan == TakeUpPlan(PlanKind.TAKE_OVER, replaced=theirs, from_member_id=OTHER)
        assert plan.is_transfer

    def test_a_fresh_accept_is_no_transfer(self) -> None:
        plan = plan_accept(ME, today_row=None, handover_pending=False, outgoing=None)
        assert plan == TakeUpPlan(PlanKind.CREATE)
        assert not plan.is_transfer

    def test_refused_during_handover_with_a_stable_code(self) -> None:
        with pytest.raises(RuleViolation) as refused:
            plan_accept(ME, today_row=None, handover_pending=True, outgoing=OUTGOING)
        assert refused.value.code == "dds_handover_pending"
        assert refused.value.message

    def test_refused_when_someone_else_accepted_with_a_message(self) -> None:
        with pytest.raises(RuleViolation) as refused:
            plan_accept(
                ME, today_row=row(OTHER, DdsStatus.ACTIVE), handover_pending=True, outgoing=ME
            )
        assert refused.value.code == "dds_already_accepted"
        assert refused.value.message


class TestAdminAssignment:
    @pytest.mark.parametrize(
        ("today", "expected"),
        [
            (row(ME, DdsStatus.ACTIVE), TakeUpPlan(PlanKind.UNCHANGED)),
            (row(ME, DdsStatus.PENDING), TakeUpPlan(PlanKind.ACTIVATE)),
            (
                row(OTHER, DdsStatus.ACTIVE),
                TakeUpPlan(
                    PlanKind.TAKE_OVER, replaced=row(OTHER, DdsStatus.ACTIVE), from_member_id=OTHER
                ),
            ),
            (
                row(OTHER, DdsStatus.PENDING),
                TakeUpPlan(
                    PlanKind.TAKE_OVER, replaced=row(OTHER, DdsStatus.PENDING), from_member_id=OTHER
                ),
            ),
            (None, TakeUpPlan(PlanKind.CREATE)),
        ],
    )
    def test_plan_outside_handover(self, today: LiveRow | None, expected: TakeUpPlan) -> None:
        assert plan_assign(ME, today_row=today, handover_pending=False, outgoing=None) == expected

    def test_an_admin_overrides_an_accepted_dds_even_during_handover(self) -> None:
        theirs = row(OTHER, DdsStatus.ACTIVE)
        plan = plan_assign(ME, today_row=theirs, handover_pending=True, outgoing=OUTGOING)
        assert plan == TakeUpPlan(PlanKind.TAKE_OVER, replaced=theirs, from_member_id=OTHER)

    def test_assigning_the_outgoing_dds_during_handover_is_no_transfer(self) -> None:
        plan = plan_assign(OUTGOING, today_row=None, handover_pending=True, outgoing=OUTGOING)
        assert plan == TakeUpPlan(PlanKind.CREATE)

    def test_an_outgoing_dds_without_a_pending_handover_is_no_transfer(self) -> None:
        plan = plan_assign(ME, today_row=None, handover_pending=False, outgoing=OUTGOING)
        assert plan == TakeUpPlan(PlanKind.CREATE)

    def test_a_pending_handover_without_an_outgoing_dds_is_no_transfer(self) -> None:
        plan = plan_assign(ME, today_row=None, handover_pending=True, outgoing=None)
        assert plan == TakeUpPlan(PlanKind.CREATE)
