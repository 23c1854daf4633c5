"""Rollover rules and the responsibility prompt (domain.md §0.2 rule 7, §5.6)."""

import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.alerts import AlertType
from shared.domain.checkin import Direction
from shared.domain.dds import NO_DDS, CurrentDds, DdsSource, DdsStatus
from shared.domain.lockup import BuildingStatus, Candidate
from shared.domain.responsibility import PromptVariant, Situation, prompt_for
from shared.domain.rollover import (
    MemberState,
    building_alert,
    missed_checkout_alert,
    stragglers,
)

INSTANT = datetime(2026, 11, 25, 9, tzinfo=UTC)
states = st.builds(
    MemberState,
    member_id=st.uuids(),
    direction=st.none() | st.sampled_from(Direction),
    at=st.none()
    | st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(hours=3)).map(
        lambda d: INSTANT + d
    ),
)


@given(st.lists(states, max_size=10))
def test_stragglers_are_exactly_those_in_since_before_the_instant(
    people: list[MemberState],
) -> None:
    out = stragglers(people, instant=INSTANT)
    assert out == sorted(out)
    assert set(out) == {
        s.member_id
        for s in people
        if s.direction is Direction.IN and s.at is not None and s.at < INSTANT
    }


@given(st.sampled_from(BuildingStatus))
def test_building_alert_only_when_not_secured(status: BuildingStatus) -> None:
    alert = building_alert(status, on=date(2026, 11, 24), holder_label="S1 Smith, J")
    assert (alert is None) is (status is BuildingStatus.SECURED)
    if alert is not None:
        assert alert.type is AlertType.BUILDING_NOT_SECURED and "S1 Smith, J" in alert.message


def test_missed_checkout_alert_lists_everyone() -> None:
    assert missed_checkout_alert([], on=date(2026, 11, 24)) is None
    alert = missed_checkout_alert(["A", "B"], on=date(2026, 11, 24))
    assert alert is not None and alert.message.startswith("2 member(s)") and "A, B" in alert.message


class TestPrompt:
    ME = uuid.uuid4()

    def situation(self, **kw: object) -> Situation:
        values: dict[str, object] = {
            "member": Candidate(self.ME, True, True, False),
            "has_dds_qualification": True,
            "building": BuildingStatus.SECURED,
            "holder_id": None,
            "dds": NO_DDS,
            "present_count": 1,
        }
        values.update(kw)
        return Situation(**values)  # type: ignore[arg-type]

    def test_first_member_into_a_secured_building_may_open_and_accept(self) -> None:
        prompt = prompt_for(self.situation())
        assert prompt.should_prompt and prompt.is_first_member
        assert prompt.can_open_building and prompt.can_accept_dds
        assert prompt.variant is PromptVariant.REPLACEMENT_CANDIDATE

    def test_the_expected_dds_gets_their_own_variant(self) -> None:
        dds = CurrentDds(self.ME, DdsStatus.PENDING, DdsSource.ASSIGNMENT)
        assert prompt_for(self.situation(dds=dds)).variant is PromptVariant.EXPECTED_DDS

    def test_open_building_with_an_active_dds_needs_nothing(self) -> None:
        dds = CurrentDds(uuid.uuid4(), DdsStatus.ACTIVE, DdsSource.ASSIGNMENT)
        prompt = prompt_for(self.situation(dds=dds, building=BuildingStatus.OPEN))
        assert not prompt.should_prompt and not prompt.can_accept_dds
