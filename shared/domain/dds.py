"""DDS rules: the week's first operational day, the weekly handover, who is the current DDS.

The Duty Day Staff is scheduled weekly but becomes live only by explicit acceptance or
assignment; at week change the outgoing DDS stays live until an explicit transfer
(domain.md §0.2 rule 6, §5.6).
"""

from collections.abc import Set
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from shared.errors import RuleViolation


class DdsStatus(StrEnum):
    """Status of a live DDS assignment row (domain.md §1.4)."""

    PENDING = "pending"
    ACTIVE = "active"
    RELEASED = "released"
    TRANSFERRED = "transferred"


class DdsSource(StrEnum):
    """Where the current DDS comes from (domain.md §5.6 "first match wins")."""

    ASSIGNMENT = "assignment"
    HANDOVER = "handover"
    SCHEDULE = "schedule"
    NONE = "none"


class DdsAction(StrEnum):
    """Responsibility-log actions for the `DDS` tag (domain.md §1.4)."""

    SELF_ACCEPTED = "self_accepted"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    RELEASED = "released"


def first_operational_day(week_start: date, holidays: Set[date]) -> date:
    """Return the first Mon–Fri date of the week that is not a stat holiday, else Monday."""
    for offset in range(5):
        day = week_start + timedelta(days=offset)
        if day not in holidays:
            return day
    return week_start


def is_handover_pending(
    *,
    on: date,
    first_day: date,
    outgoing: UUID | None,
    incoming: UUID | None,
    assigned_to_other_since_first_day: bool,
) -> bool:
    """Return True while the weekly handover waits for an explicit transfer (§5.6).

    `outgoing`/`incoming` are last week's and this week's scheduled (non-released) DDS;
    `assigned_to_other_since_first_day` says whether any live DDS row exists from the first
    operational day to the end of the week for a member other than the outgoing DDS.
    """
    return (
        on >= first_day
        and outgoing is not None
        and incoming is not None
        and outgoing != incoming
        and not assigned_to_other_since_first_day
    )


@dataclass(frozen=True, slots=True)
class LiveRow:
    """Today's newest pending/active `dds_assignments` row."""

    id: UUID
    member_id: UUID
    status: DdsStatus


@dataclass(frozen=True, slots=True)
class Scheduled:
    """This week's scheduled DDS."""

    member_id: UUID
    confirmed: bool


@dataclass(frozen=True, slots=True)
class CurrentDds:
    """Who the DDS is right now and how we know."""

    member_id: UUID | None
    status: DdsStatus | None
    source: DdsSource
    assignment_id: UUID | None = None

    @property
    def is_active(self) -> bool:
        """True when a live DDS has accepted (or is the outgoing DDS during handover)."""
        return self.status is DdsStatus.ACTIVE


NO_DDS = CurrentDds(None, None, DdsSource.NONE)


def resolve_current(
    *,
    today_row: LiveRow | None,
    handover_pending: bool,
    outgoing: UUID | None,
    scheduled: Scheduled | None,
) -> CurrentDds:
    """Apply the first-match-wins order of domain.md §5.6."""
    if today_row is not None:
        return CurrentDds(today_row.member_id, today_row.status, DdsSource.ASSIGNMENT, today_row.id)
    if handover_pending and outgoing is not None:
        return CurrentDds(outgoing, DdsStatus.ACTIVE, DdsSource.HANDOVER)
    if scheduled is not None:
        status = DdsStatus.ACTIVE if scheduled.confirmed else DdsStatus.PENDING
        return CurrentDds(scheduled.member_id, status, DdsSource.SCHEDULE)
    return NO_DDS


class PlanKind(StrEnum):
    """What a DDS take-up does to the live rows."""

    UNCHANGED = "unchanged"
    ACTIVATE = "activate"
    TAKE_OVER = "take_over"
    CREATE = "create"


@dataclass(frozen=True, slots=True)
class TakeUpPlan:
    """The writes a self-accept or an admin assignment needs."""

    kind: PlanKind
    replaced: LiveRow | None = None
    from_member_id: UUID | None = None

    @property
    def is_transfer(self) -> bool:
        """True when responsibility moves away from another member."""
        return self.from_member_id is not None


def plan_accept(
    member_id: UUID, *, today_row: LiveRow | None, handover_pending: bool, outgoing: UUID | None
) -> TakeUpPlan:
    """Plan a self-accept (domain.md §5.6 "Self-accept"); presence/qualification are checked first."""
    if today_row is not None and today_row.status is DdsStatus.ACTIVE:
        if today_row.member_id == member_id:
            return TakeUpPlan(PlanKind.UNCHANGED)
        raise RuleViolation("dds_already_accepted", "A DDS has already been accepted for today")
    if handover_pending and member_id != outgoing:
        raise RuleViolation(
            "dds_handover_pending",
            "The weekly DDS handover is pending: the outgoing DDS must transfer it",
        )
    if today_row is not None and today_row.member_id == member_id:
        return TakeUpPlan(PlanKind.ACTIVATE)
    if today_row is not None:
        return TakeUpPlan(
            PlanKind.TAKE_OVER, replaced=today_row, from_member_id=today_row.member_id
        )
    return TakeUpPlan(PlanKind.CREATE)


def plan_assign(
    member_id: UUID, *, today_row: LiveRow | None, handover_pending: bool, outgoing: UUID | None
) -> TakeUpPlan:
    """Plan an admin set-today/assign/transfer (domain.md §5.6 "Admin operations")."""
    if today_row is not None and today_row.member_id == member_id:
        if today_row.status is DdsStatus.ACTIVE:
            return TakeUpPlan(PlanKind.UNCHANGED)
        return TakeUpPlan(PlanKind.ACTIVATE)
    if today_row is not None:
        return TakeUpPlan(
            PlanKind.TAKE_OVER, replaced=today_row, from_member_id=today_row.member_id
        )
    if handover_pending and outgoing is not None and outgoing != member_id:
        return TakeUpPlan(PlanKind.CREATE, from_member_id=outgoing)
    return TakeUpPlan(PlanKind.CREATE)


def should_create_pending(
    *, scheduled: UUID | None, has_live_row: bool, handover_pending: bool
) -> bool:
    """Daily rollover creates today's pending DDS row from the schedule (§0.2 rule 7, §5.6)."""
    return scheduled is not None and not has_live_row and not handover_pending
