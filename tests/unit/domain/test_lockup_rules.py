"""Lockup authority, the command checks and the reminder alerts (domain.md §6.2, §4.2)."""

import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    has_authority,
    reminder_alerts,
)
from shared.errors import Forbidden, RuleViolation

candidates = st.builds(
    Candidate,
    member_id=st.uuids(),
    is_present=st.booleans(),
    has_lockup_qualification=st.booleans(),
    is_todays_dds=st.booleans(),
)
views = st.builds(
    LockupView, status=st.sampled_from(BuildingStatus), holder_id=st.none() | st.uuids()
)


def member(**kw: bool) -> Candidate:
    values = {"is_present": True, "has_lockup_qualification": False, "is_todays_dds": False}
    values.update(kw)
    return Candidate(uuid.uuid4(), **values)


@given(candidates, st.none() | st.uuids())
def test_authority_is_holder_or_qualification_or_dds(
    c: Candidate, holder: uuid.UUID | None
) -> None:
    expected = c.member_id == holder or c.has_lockup_qualification or c.is_todays_dds
    assert has_authority(c, holder_id=holder) is expected


@given(views, candidates)
def test_acquire_succeeds_only_when_free_present_and_authorised(
    view: LockupView, c: Candidate
) -> None:
    ok = view.holder_id is None and c.is_present and has_authority(c, holder_id=None)
    try:
        check_acquire(view, c)
    except (RuleViolation, Forbidden):
        assert not ok
    else:
        assert ok


@given(views, candidates)
def test_open_needs_a_secured_building(view: LockupView, c: Candidate) -> None:
    ok = (
        view.status is BuildingStatus.SECURED
        and c.is_present
        and has_authority(c, holder_id=view.holder_id)
    )
    try:
        check_open(view, c)
    except (RuleViolation, Forbidden):
        assert not ok
    else:
        assert ok


class TestTransfer:
    def test_needs_a_holder(self) -> None:
        with pytest.raises(RuleViolation, match="Nobody"):
            check_transfer(LockupView(BuildingStatus.OPEN, None), member(is_todays_dds=True))

    def test_recipient_needs_authority(self) -> None:
        with pytest.raises(Forbidden) as refused:
            check_transfer(LockupView(BuildingStatus.OPEN, uuid.uuid4()), member())
        assert refused.value.code == "not_qualified"

    def test_recipient_must_be_present(self) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_transfer(
                LockupView(BuildingStatus.OPEN, uuid.uuid4()),
                member(is_present=False, has_lockup_qualification=True),
            )
        assert refused.value.code == "member_not_present"

    def test_to_a_qualified_present_member_is_allowed(self) -> None:
        check_transfer(
            LockupView(BuildingStatus.OPEN, uuid.uuid4()), member(has_lockup_qualification=True)
        )


def test_execute_by_a_member_without_authority_is_refused_unless_admin() -> None:
    view = LockupView(BuildingStatus.OPEN, uuid.uuid4())
    with pytest.raises(Forbidden):
        check_execute(view, member(), is_admin=False)
    check_execute(view, member(), is_admin=True)


def test_execute_on_a_secured_free_building_is_refused() -> None:
    with pytest.raises(RuleViolation, match="already secured"):
        check_execute(LockupView(BuildingStatus.SECURED, None), member(), is_admin=True)


@given(st.lists(candidates, max_size=8), st.none() | st.uuids())
def test_recipients_are_present_authorised_and_not_the_holder(
    people: list[Candidate], holder: uuid.UUID | None
) -> None:
    chosen = eligible_recipients(people, holder_id=holder)
    by_id = {c.member_id: c for c in people}
    for member_id in chosen:
        c = by_id[member_id]
        assert c.is_present and member_id != holder
        assert c.has_lockup_qualification or c.is_todays_dds


class TestReminders:
    @given(st.sampled_from(ReminderPhase), st.none() | st.uuids())
    def test_a_secured_building_raises_nothing(
        self, phase: ReminderPhase, holder: uuid.UUID | None
    ) -> None:
        view = LockupView(BuildingStatus.SECURED, holder)
        assert reminder_alerts(view, phase=phase, on=date(2026, 11, 24), holder_label="X") == []

    def test_warning_names_the_holder(self) -> None:
        view = LockupView(BuildingStatus.OPEN, uuid.uuid4())
        [alert] = reminder_alerts(
            view, phase=ReminderPhase.WARNING, on=date(2026, 11, 24), holder_label="S1 Smith, J"
        )
        assert (alert.type, alert.severity) == (AlertType.LOCKUP_REMINDER, Severity.WARNING)
        assert "S1 Smith, J" in alert.message

    def test_critical_is_lockup_not_executed(self) -> None:
        view = LockupView(BuildingStatus.OPEN, uuid.uuid4())
        [alert] = reminder_alerts(
            view, phase=ReminderPhase.CRITICAL, on=date(2026, 11, 24), holder_label="H"
        )
        assert (alert.type, alert.severity) == (AlertType.LOCKUP_NOT_EXECUTED, Severity.CRITICAL)

    @given(st.sampled_from(ReminderPhase))
    def test_nobody_holding_an_open_building_is_critical(self, phase: ReminderPhase) -> None:
        view = LockupView(BuildingStatus.OPEN, None)
        [alert] = reminder_alerts(view, phase=phase, on=date(2026, 11, 24), holder_label=None)
        assert alert.severity is Severity.CRITICAL and "Unassigned" in alert.message

    def test_the_two_phases_have_distinct_subjects(self) -> None:
        view = LockupView(BuildingStatus.OPEN, None)
        subjects = {
            reminder_alerts(view, phase=p, on=date(2026, 11, 24), holder_label=None)[0].subject
            for p in ReminderPhase
        }
        assert len(subjects) == 2
