"""The responsibility prompt, compared as a whole: each variant, who may open the building
(the holder, present members with authority), and who counts as the first member.

Found by mutation testing (`uv run python -m tools.mutation`): the existing tests covered the
first member and the expected DDS, not the remaining variants or the open/accept conditions.
"""

import uuid

from shared.domain.dds import NO_DDS, CurrentDds, DdsSource, DdsStatus
from shared.domain.lockup import BuildingStatus, Candidate
from shared.domain.responsibility import Prompt, PromptVariant, Situation, prompt_for

ME, OTHER = uuid.UUID(int=1), uuid.UUID(int=2)


def situation(
    *,
    present: bool = True,
    qualified: bool = True,
    dds_qualified: bool = True,
    building: BuildingStatus = BuildingStatus.SECURED,
    holder: uuid.UUID | None = None,
    dds: CurrentDds = NO_DDS,
    present_count: int = 3,
) -> Situation:
    return Situation(
        Candidate(ME, present, qualified, False),
        dds_qualified,
        building,
        holder,
        dds,
        present_count,
    )


def test_building_open_and_dds_pending() -> None:
    dds = CurrentDds(OTHER, DdsStatus.PENDING, DdsSource.SCHEDULE)
    assert prompt_for(situation(building=BuildingStatus.OPEN, dds=dds)) == Prompt(
        needs_dds=True,
        needs_building_open=False,
        is_first_member=False,
        can_accept_dds=True,
        can_open_building=False,
        expected_dds_id=OTHER,
        variant=PromptVariant.BUILDING_OPEN_DDS_PENDING,
    )


def test_secured_building_with_an_active_dds_is_opener_only() -> None:
    dds = CurrentDds(OTHER, DdsStatus.ACTIVE, DdsSource.ASSIGNMENT)
    assert prompt_for(situation(dds=dds)) == Prompt(
        needs_dds=False,
        needs_building_open=True,
        is_first_member=False,
        can_accept_dds=False,
        can_open_building=True,
        expected_dds_id=OTHER,
        variant=PromptVariant.OPENER_ONLY,
    )


def test_the_active_dds_themself_is_only_asked_to_open() -> None:
    dds = CurrentDds(ME, DdsStatus.ACTIVE, DdsSource.ASSIGNMENT)
    prompt = prompt_for(situation(dds=dds))
    assert prompt.can_accept_dds and prompt.variant is PromptVariant.OPENER_ONLY


def test_the_holder_may_open_without_a_qualification() -> None:
    prompt = prompt_for(situation(qualified=False, holder=ME))
    assert prompt.can_open_building


def test_a_present_member_without_authority_may_not_open() -> None:
    assert not prompt_for(situation(qualified=False, holder=OTHER)).can_open_building


def test_an_absent_member_may_not_open_and_is_not_the_first_member() -> None:
    prompt = prompt_for(situation(present=False, present_count=1))
    assert not prompt.can_open_building
    assert not prompt.is_first_member
    assert prompt.needs_building_open
