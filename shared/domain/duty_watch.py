"""Duty Watch rules: which nights are watch nights, tonight's roster, and the start-time check.

Nights come from rules (weekly with an interval, or the nth weekday of a month); tonight's team
is the week's schedule with night overrides and live temporary coverage applied; at the start
time a check raises alerts for gaps (domain.md §5.3–§5.5, §4.2).
"""

from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from uuid import UUID

from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.errors import Forbidden, RuleViolation

REQUIRED_POSITIONS = ("SWK", "DSWK", "QM", "BM", "APS")
LOCKUP_POSITIONS = frozenset({"SWK", "DSWK"})


class Recurrence(StrEnum):
    """How a Duty Watch rule repeats."""

    WEEKLY = "weekly"
    MONTHLY_NTH_WEEKDAY = "monthly_nth_weekday"


class Ordinal(StrEnum):
    """Which weekday of the month a monthly rule means."""

    FIRST = "first"
    SECOND = "second"
    THIRD = "third"
    FOURTH = "fourth"
    LAST = "last"


class OverrideType(StrEnum):
    """A per-night change to the week's team (domain.md §1.4)."""

    REPLACE = "replace"
    ADD = "add"
    REMOVE = "remove"


class EntrySource(StrEnum):
    """Where a roster entry comes from."""

    SCHEDULE = "schedule"
    NIGHT_OVERRIDE = "night_override"
    LIVE_ONLY = "live_only"


class LiveEndReason(StrEnum):
    """Why live coverage ended (domain.md §1.4)."""

    MANUAL_CLEAR = "manual_clear"
    MEMBER_CHECKOUT = "member_checkout"
    LOCKUP_EXECUTION = "lockup_execution"
    DAILY_RESET = "daily_reset"
    REASSIGNED = "reassigned"


@dataclass(frozen=True, slots=True)
class Rule:
    """One Duty Watch rule; `weekday` is ISO (1 = Monday)."""

    id: UUID
    effective_start: date
    start: time
    end: time
    recurrence: Recurrence
    weekday: int
    interval_weeks: int = 1
    ordinal: Ordinal | None = None


def _monday(on: date) -> date:
    return on - timedelta(days=on.weekday())


def rule_matches(rule: Rule, on: date) -> bool:
    """Return True when `rule` puts a watch on date `on` (domain.md §5.3)."""
    if on < rule.effective_start or on.isoweekday() != rule.weekday:
        return False
    if rule.recurrence is Recurrence.WEEKLY:
        weeks = (_monday(on) - _monday(rule.effective_start)).days // 7
        return weeks % max(rule.interval_weeks, 1) == 0
    ordinal = rule.ordinal or Ordinal.FIRST
    if ordinal is Ordinal.LAST:
        return (on + timedelta(days=7)).month != on.month
    index = list(Ordinal).index(ordinal)  # first = days 1–7, second 8–14, ...
    return (on.day - 1) // 7 == index


@dataclass(frozen=True, slots=True)
class Night:
    """A Duty Watch night: rules matching one date merged (earliest start, latest end)."""

    on: date
    start: time
    end: time


def night_for(rules: Sequence[Rule], on: date) -> Night | None:
    """Return the watch night on `on`, or None when no rule matches."""
    matching = [r for r in rules if rule_matches(r, on)]
    if not matching:
        return None
    return Night(on, min(r.start for r in matching), max(r.end for r in matching))


def nights_in_week(rules: Sequence[Rule], week_start: date) -> list[date]:
    """Return the watch nights of the Monday-based week starting `week_start`."""
    days = (week_start + timedelta(days=i) for i in range(7))
    return [d for d in days if night_for(rules, d) is not None]


@dataclass(frozen=True, slots=True)
class Position:
    """A Duty Watch position."""

    id: UUID
    code: str
    max_slots: int


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A non-released assignment of the week's Duty Watch schedule."""

    assignment_id: UUID
    position_id: UUID | None
    member_id: UUID
    status: str


@dataclass(frozen=True, slots=True)
class Override:
    """A night override for the operational date."""

    id: UUID
    position_id: UUID
    kind: OverrideType
    member_id: UUID | None
    base_member_id: UUID | None


@dataclass(frozen=True, slots=True)
class Cover:
    """Active live coverage of a position."""

    id: UUID
    position_id: UUID
    member_id: UUID
    started_at: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of tonight's roster."""

    position_id: UUID | None
    member_id: UUID
    source: EntrySource
    status: str
    assignment_id: UUID | None = None
    override_id: UUID | None = None
    cover: Cover | None = None


def tonight_roster(
    scheduled: Sequence[Scheduled], overrides: Sequence[Override], covers: Sequence[Cover]
) -> list[Entry]:
    """Merge the schedule, the night's overrides and live coverage (domain.md §5.3 steps 1–3).

    Sorting by position code and name is left to the caller, which knows both.
    """
    entries = [
        Entry(s.position_id, s.member_id, EntrySource.SCHEDULE, s.status, s.assignment_id)
        for s in scheduled
    ]
    for o in overrides:
        match = next(
            (
                i
                for i, e in enumerate(entries)
                if e.position_id == o.position_id and e.member_id == o.base_member_id
            ),
            None,
        )
        if o.kind is OverrideType.REMOVE and match is not None:
            del entries[match]
        elif o.kind is OverrideType.REPLACE and match is not None and o.member_id is not None:
            entries[match] = replace(
                entries[match],
                member_id=o.member_id,
                source=EntrySource.NIGHT_OVERRIDE,
                override_id=o.id,
            )
        elif o.kind is OverrideType.ADD and o.member_id is not None:
            entries.append(
                Entry(
                    o.position_id, o.member_id, EntrySource.NIGHT_OVERRIDE, "assigned", None, o.id
                )
            )
    for cover in covers:
        slot = next(
            (
                i
                for i, e in enumerate(entries)
                if e.position_id == cover.position_id and e.cover is None
            ),
            None,
        )
        if slot is None:
            entries.append(
                Entry(
                    cover.position_id, cover.member_id, EntrySource.LIVE_ONLY, "live", cover=cover
                )
            )
        else:
            entries[slot] = replace(entries[slot], cover=cover)
    return entries


def on_duty(entry: Entry) -> UUID:
    """The member actually standing the position: the live cover if any, else the entry's."""
    return entry.cover.member_id if entry.cover is not None else entry.member_id


@dataclass(frozen=True, slots=True)
class CheckInput:
    """What the start-time check looks at."""

    on: date
    has_schedule: bool
    roster: Sequence[Entry]
    positions: Sequence[Position]
    present: Set[UUID]
    holder_id: UUID | None
    labels: dict[UUID, str]


def start_check(data: CheckInput) -> list[AlertRequest]:
    """Alerts at the Duty Watch start time (domain.md §4.2, §5.4).

    Positions are checked against their slot counts (two APS), which the source's code list
    did not do; subjects carry the date and the kind so distinct problems are all stored
    (Appendix B.8).
    """
    day = data.on.isoformat()
    if not data.has_schedule:
        return [_missing(Severity.CRITICAL, f"{day}:no_schedule", "No Duty Watch Scheduled")]
    alerts: list[AlertRequest] = []
    code_of: dict[UUID | None, str] = {p.id: p.code for p in data.positions}
    if data.holder_id is None:
        alerts.append(_missing(Severity.CRITICAL, f"{day}:lockup_unassigned", "Lockup Unassigned"))
    short = _shortages(data.roster, data.positions)
    if short:
        alerts.append(
            _missing(Severity.WARNING, f"{day}:incomplete", "Duty Watch Incomplete: " + short)
        )
    lockup_team = {
        on_duty(e) for e in data.roster if code_of.get(e.position_id) in LOCKUP_POSITIONS
    }
    if data.holder_id is not None and data.holder_id not in lockup_team:
        holder = data.labels.get(data.holder_id, str(data.holder_id))
        alerts.append(
            _missing(
                Severity.WARNING,
                f"{day}:lockup_not_transferred",
                f"Lockup Not Transferred: {holder} holds lockup, not the SWK or DSWK",
            )
        )
    absent = [
        f"{data.labels.get(e.member_id, str(e.member_id))} ({code_of.get(e.position_id, '?')})"
        for e in data.roster
        if e.cover is None and e.member_id not in data.present
    ]
    if absent:
        alerts.append(
            AlertRequest(
                AlertType.DUTY_WATCH_NOT_CHECKED_IN,
                Severity.WARNING,
                f"{day}:not_checked_in",
                "Duty Watch members not checked in: " + ", ".join(absent),
            )
        )
    return alerts


def _missing(severity: Severity, subject: str, message: str) -> AlertRequest:
    return AlertRequest(AlertType.DUTY_WATCH_MISSING, severity, subject, message)


def _shortages(roster: Sequence[Entry], positions: Sequence[Position]) -> str:
    parts = []
    for code in REQUIRED_POSITIONS:
        position = next((p for p in positions if p.code == code), None)
        if position is None:
            continue
        filled = sum(1 for e in roster if e.position_id == position.id)
        if filled < position.max_slots:
            parts.append(
                code if position.max_slots == 1 else f"{code} ({filled}/{position.max_slots})"
            )
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class CoverRequest:
    """A request for live temporary coverage (domain.md §5.5)."""

    member_id: UUID
    position: Position
    is_present: bool
    qualification_codes: frozenset[str]
    active_on_position: Sequence[Cover]
    member_cover: Cover | None


def check_cover(request: CoverRequest) -> Cover | None:
    """Validate coverage; return the member's cover on another position that must end first."""
    if request.position.code not in REQUIRED_POSITIONS:
        raise RuleViolation("invalid_position", "Only Duty Watch positions can be covered")
    if not request.is_present:
        raise RuleViolation("member_not_present", "The member must be checked in")
    if request.position.code not in request.qualification_codes:
        raise Forbidden(
            "not_qualified", f"The member lacks an active {request.position.code} qualification"
        )
    previous = request.member_cover
    if previous is not None and previous.position_id == request.position.id:
        raise RuleViolation("already_covering", "The member already covers this position")
    if len(request.active_on_position) >= request.position.max_slots:
        raise RuleViolation(
            "position_full",
            f"The position is already at the maximum of {request.position.max_slots}",
        )
    return previous
