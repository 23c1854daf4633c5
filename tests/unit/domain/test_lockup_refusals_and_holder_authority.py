"""Lockup: the holder's own authority, the exact refusal codes, recipients and reminder subjects.

Found by mutation testing (`uv run python -m tools.mutation`): the property tests draw random
member ids, so a candidate never *is* the holder, and they only check that some refusal happens.
"""

import uuid
from datetime import date

import pytest

from shared.domain.alerts import AlertType, Severity
from shared.domain.lockup import (
    BuildingStatus,
    Candidate,
    LockupView,
    ReminderPhase,
    check_acquire,
    check_execute,
    check_open,
    check_transfer,
    eligible_recipients,
    reminder_alerts,
)
from shared.errors import Forbidden, RuleViolation, SentinelError

NIGHT = date(2026, 11, 24)


def member(
    *,
    present: bool = True,
    qualified: bool = False,
    dds: bool = False,
    member_id: uuid.UUID | None = None,
) -> Candidate:
    return Candidate(member_id or uuid.uuid4(), present, qualified, dds)


def assert_refusal(error: SentinelError, code: str) -> None:
    assert error.code == code
    assert isinstance(error.message, str) and error.message


class TestTheHolderHasAuthorityWithoutAQualification:
    def test_the_holder_may_open_the_building(self) -> None:
        holder = member()
        check_open(LockupView(BuildingStatus.SECURED, holder.member_id), holder)

    def test_a_non_holder_without_qualification_may_not_open(self) -> None:
        with pytest.raises(Forbidden) as refused:
            check_open(LockupView(BuildingStatus.SECURED, uuid.uuid4()), member())
        assert_refusal(refused.value, "not_qualified")

    def test_the_holder_may_execute_lockup(self) -> None:
        holder = member()
        check_execute(LockupView(BuildingStatus.OPEN, holder.member_id), holder, is_admin=False)

    def test_an_absent_holder_may_not_open(self) -> None:
        holder = member(present=False)
        with pytest.raises(RuleViolation) as refused:
            check_open(LockupView(BuildingStatus.SECURED, holder.member_id), holder)
        assert_refusal(refused.value, "member_not_present")


class TestRefusalCodes:
    def test_acquire_of_a_held_lockup_names_the_holder(self) -> None:
        holder = uuid.uuid4()
        with pytest.raises(RuleViolation) as refused:
            check_acquire(LockupView(BuildingStatus.OPEN, holder), member(qualified=True))
        assert_refusal(refused.value, "already_held")
        assert refused.value.details == {"holder_id": holder}

    @pytest.mark.parametrize("status", [BuildingStatus.OPEN, BuildingStatus.LOCKING_UP])
    def test_open_of_a_building_that_is_not_secured(self, status: BuildingStatus) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_open(LockupView(status, None), member(qualified=True))
        assert_refusal(refused.value, "invalid_state")

    def test_transfer_without_a_holder(self) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_transfer(LockupView(BuildingStatus.OPEN, None), member(qualified=True))
        assert_refusal(refused.value, "no_active_lockup")

    def test_transfer_to_the_holder_themself(self) -> None:
        holder = member(qualified=True)
        with pytest.raises(RuleViolation) as refused:
            check_transfer(LockupView(BuildingStatus.OPEN, holder.member_id), holder)
        assert_refusal(refused.value, "same_member")

    def test_authority_is_checked_before_presence(self) -> None:
        with pytest.raises(Forbidden) as refused:
            check_acquire(LockupView(BuildingStatus.SECURED, None), member(present=False))
        assert_refusal(refused.value, "not_qualified")

    def test_execute_while_a_lockup_is_being_executed(self) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_execute(
                LockupView(BuildingStatus.LOCKING_UP, uuid.uuid4()), member(), is_admin=True
            )
        assert_refusal(refused.value, "invalid_state")

    def test_execute_on_a_secured_building_nobody_holds(self) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_execute(LockupView(BuildingStatus.SECURED, None), member(), is_admin=True)
        assert_refusal(refused.value, "invalid_state")

    def test_execute_by_a_member_without_authority(self) -> None:
        with pytest.raises(Forbidden) as refused:
            check_execute(LockupView(BuildingStatus.OPEN, uuid.uuid4()), member(), is_admin=False)
        assert_refusal(refused.value, "not_qualified")


class TestExecuteOnAnOpenBuildingNobodyHolds:
    def test_an_admin_may_lock_up(self) -> None:
        check_execute(LockupView(BuildingStatus.OPEN, None), member(), is_admin=True)

    def test_a_qualified_member_may_lock_up(self) -> None:
        check_execute(LockupView(BuildingStatus.OPEN, None), member(qualified=True), is_admin=False)

    def test_a_secured_building_with_a_holder_may_still_be_locked_up(self) -> None:
        check_execute(
            LockupView(BuildingStatus.SECURED, uuid.uuid4()), member(dds=True), is_admin=False
        )


def test_recipients_are_exactly_the_present_authorised_others_in_order() -> None:
    holder = member(qualified=True)
    dds = member(dds=True)
    absent = member(present=False, qualified=True)
    plain = member()
    qualified = member(qualified=True)
    people = [qualified, holder, absent, plain, dds]
    assert eligible_recipients(people, holder_id=holder.member_id) == [
        qualified.member_id,
        dds.member_id,
    ]


class TestReminderAlerts:
    @pytest.mark.parametrize("phase", list(ReminderPhase))
    @pytest.mark.parametrize("holder", [None, uuid.UUID(int=7)])
    def test_subject_is_the_operational_date_and_phase(
        self, phase: ReminderPhase, holder: uuid.UUID | None
    ) -> None:
        [alert] = reminder_alerts(
            LockupView(BuildingStatus.OPEN, holder), phase=phase, on=NIGHT, holder_label="H"
        )
        assert alert.subject == f"2026-11-24:{phase.value}"

    def test_nobody_holding_is_lockup_not_executed(self) -> None:
        [alert] = reminder_alerts(
            LockupView(BuildingStatus.LOCKING_UP, None),
            phase=ReminderPhase.WARNING,
            on=NIGHT,
            holder_label=None,
        )
        assert (alert.type, alert.severity) == (AlertType.LOCKUP_NOT_EXECUTED, Severity.CRITICAL)

    @pytest.mark.parametrize("phase", list(ReminderPhase))
    def test_the_message_names_the_holder(self, phase: ReminderPhase) -> None:
        view = LockupView(BuildingStatus.OPEN, uuid.uuid4())
        [alert] = reminder_alerts(view, phase=phase, on=NIGHT, holder_label="S1 Smith, J")
        assert "S1 Smith, J" in alert.message

    def test_a_holder_without_a_label_is_called_unknown(self) -> None:
        view = LockupView(BuildingStatus.OPEN, uuid.uuid4())
        [alert] = reminder_alerts(view, phase=ReminderPhase.CRITICAL, on=NIGHT, holder_label=None)
        assert "an unknown member holds lockup" in alert.message
