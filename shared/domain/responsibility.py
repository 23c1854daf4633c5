"""The responsibility prompt after a check-in: open the building, accept DDS, or both.

When a member checks in while the building is secured or no DDS has accepted, the kiosk (or a
paired display) offers them the outstanding responsibility (domain.md §5.6 "Kiosk / login
responsibility state", §2.11 step 11).
"""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from shared.domain.dds import CurrentDds
from shared.domain.lockup import BuildingStatus, Candidate, has_authority


class PromptVariant(StrEnum):
    """Which prompt the kiosk shows (domain.md §5.6)."""

    EXPECTED_DDS = "expected_dds"
    BUILDING_OPEN_DDS_PENDING = "building_open_dds_pending"
    REPLACEMENT_CANDIDATE = "replacement_candidate"
    OPENER_ONLY = "opener_only"


@dataclass(frozen=True, slots=True)
class Situation:
    """What the prompt depends on."""

    member: Candidate
    has_dds_qualification: bool
    building: BuildingStatus
    holder_id: UUID | None
    dds: CurrentDds
    present_count: int


@dataclass(frozen=True, slots=True)
class Prompt:
    """The computed responsibility state for one member."""

    needs_dds: bool
    needs_building_open: bool
    is_first_member: bool
    can_accept_dds: bool
    can_open_building: bool
    expected_dds_id: UUID | None
    variant: PromptVariant

    @property
    def should_prompt(self) -> bool:
        """True when something is outstanding."""
        return self.needs_dds or self.needs_building_open


def prompt_for(s: Situation) -> Prompt:
    """Compute the prompt of domain.md §5.6 for the member in `s`."""
    needs_dds = not s.dds.is_active
    secured = s.building is BuildingStatus.SECURED
    authority = has_authority(s.member, holder_id=s.holder_id)
    can_accept = (
        s.member.is_present
        and s.has_dds_qualification
        and authority
        and (not s.dds.is_active or s.dds.member_id == s.member.member_id)
    )
    can_open = s.member.is_present and authority and secured
    expected = s.dds.member_id
    if needs_dds and expected == s.member.member_id:
        variant = PromptVariant.EXPECTED_DDS
    elif needs_dds and not secured:
        variant = PromptVariant.BUILDING_OPEN_DDS_PENDING
    elif needs_dds and can_accept:
        variant = PromptVariant.REPLACEMENT_CANDIDATE
    else:
        variant = PromptVariant.OPENER_ONLY
    return Prompt(
        needs_dds=needs_dds,
        needs_building_open=secured,
        is_first_member=s.member.is_present and s.present_count == 1,
        can_accept_dds=can_accept,
        can_open_building=can_open,
        expected_dds_id=expected,
        variant=variant,
    )
