"""Duty Watch details: week/month rule edges, the exact roster entries overrides and covers
produce, who counts as on duty, the start-check subjects and messages, and refusal codes.

Found by mutation testing (`uv run python -m tools.mutation`): the existing tests compared
(position, member, source) triples and alert kinds, not whole entries and alerts.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.domain.duty_watch import (
    CheckInput,
    Cover,
    CoverRequest,
    Entry,
    EntrySource,
    Night,
    Ordinal,
    Override,
    OverrideType,
    Position,
    Recurrence,
    Rule,
    Scheduled,
    check_cover,
    night_for,
    nights_in_week,
    rule_matches,
    start_check,
    tonight_roster,
)
from shared.errors import Forbidden, RuleViolation, SentinelError

MONDAY = date(2026, 1, 5)
NOW = datetime(2026, 11, 25, 1, tzinfo=UTC)


def weekly(weekday: int, every: int = 1, effective: date = MONDAY) -> Rule:
    return Rule(uuid.UUID(int=1), effective, time(19), time(22), Recurrence.WEEKLY, weekday, every)


def monthly(weekday: int, ordinal: Ordinal) -> Rule:
    return Rule(
        uuid.UUID(int=2),
        date(2025, 1, 1),
        time(19),
        time(22),
        Recurrence.MONTHLY_NTH_WEEKDAY,
        weekday,
        1,
        ordinal,
    )


class TestRuleEdges:
    def test_a_fortnightly_sunday_counts_weeks_from_monday(self) -> None:
        rule = weekly(7, every=2)  # Sunday is the last day of the anchor's week
        sundays = [MONDAY + timedelta(days=6 + 7 * i) for i in range(4)]
        assert [rule_matches(rule, d) for d in sundays] == [True, False, True, False]

    def test_the_first_weekday_may_be_the_first_of_the_month(self) -> None:
        rule = monthly(7, Ordinal.FIRST)  # 2026-02-01 is a Sunday
        assert rule_matches(rule, date(2026, 2, 1))
        assert not rule_matches(rule, date(2026, 2, 8))

    def test_the_second_weekday_runs_from_the_8th_to_the_14th(self) -> None:
        rule = monthly(7, Ordinal.SECOND)
        assert rule_matches(rule, date(2026, 2, 8))  # Sunday the 8th
        assert rule_matches(rule, date(2026, 3, 8))
        assert not rule_matches(rule, date(2026, 3, 1))
        assert rule_matches(monthly(6, Ordinal.SECOND), date(2026, 2, 14))  # Saturday the 14th

    def test_the_night_carries_its_date(self) -> None:
        on = date(2026, 11, 24)
        assert night_for([weekly(2)], on) == Night(on, time(19), time(22))

    def test_a_week_is_seven_days(self) -> None:
        assert nights_in_week([weekly(1)], date(2026, 11, 23)) == [date(2026, 11, 23)]


SWK, DSWK, QM, BM, APS = (
    Position(uuid.UUID(int=100 + i), code, slots)
    for i, (code, slots) in enumerate([("SWK", 1), ("DSWK", 1), ("QM", 1), ("BM", 1), ("APS", 2)])
)
POSITIONS = [SWK, DSWK, QM, BM, APS]
A, B, C, D = (uuid.UUID(int=i) for i in range(11, 15))
ASSIGNMENT_A, ASSIGNMENT_B = uuid.UUID(int=21), uuid.UUID(int=22)
OVERRIDE = uuid.UUID(int=31)


def scheduled() -> list[Scheduled]:
    return [
        Scheduled(ASSIGNMENT_A, QM.id, A, "confirmed"),
        Scheduled(ASSIGNMENT_B, BM.id, B, "assigned"),
    ]


class TestRosterEntries:
    def test_scheduled_entries_keep_status_and_assignment(self) -> None:
        assert tonight_roster(scheduled(), [], []) == [
            Entry(QM.id, A, EntrySource.SCHEDULE, "confirmed", ASSIGNMENT_A),
            Entry(BM.id, B, EntrySource.SCHEDULE, "assigned", ASSIGNMENT_B),
        ]

    def test_a_replacement_keeps_the_assignment_and_records_the_override(self) -> None:
        replace_a = Override(OVERRIDE, QM.id, OverrideType.REPLACE, C, A)
        [first, _] = tonight_roster(scheduled(), [replace_a], [])
        assert first == Entry(
            QM.id, C, EntrySource.NIGHT_OVERRIDE, "confirmed", ASSIGNMENT_A, OVERRIDE
        )

    def test_an_addition_is_an_assigned_override_entry(self) -> None:
        add = Override(OVERRIDE, APS.id, OverrideType.ADD, D, None)
        roster = tonight_roster(scheduled(), [add], [])
        assert roster[-1] == Entry(
            APS.id, D, EntrySource.NIGHT_OVERRIDE, "assigned", None, OVERRIDE
        )

    @pytest.mark.parametrize("kind", [OverrideType.REMOVE, OverrideType.REPLACE])
    def test_an_override_must_match_both_position_and_member(self, kind: OverrideType) -> None:
        # B is scheduled on BM, not QM: nothing on QM is touched, nothing is added.
        override = Override(OVERRIDE, QM.id, kind, C, B)
        assert tonight_roster(scheduled(), [override], []) == tonight_roster(scheduled(), [], [])

    def test_a_cover_attaches_only_to_its_own_position(self) -> None:
        cover = Cover(uuid.UUID(int=41), APS.id, C, NOW)
        roster = tonight_roster(scheduled(), [], [cover])
        assert [e.cover for e in roster[:2]] == [None, None]
        assert roster[2] == Entry(APS.id, C, EntrySource.LIVE_ONLY, "live", cover=cover)

    def test_a_cover_of_a_scheduled_position_keeps_the_entry(self) -> None:
        cover = Cover(uuid.UUID(int=41), BM.id, C, NOW)
        roster = tonight_roster(scheduled(), [], [cover])
        assert roster[1] == Entry(
            BM.id, B, EntrySource.SCHEDULE, "assigned", ASSIGNMENT_B, cover=cover
        )


LABELS = {A: "S1 Able", B: "S2 Baker", C: "S3 Cole", D: "S4 Dodd"}
ON = date(2026, 11, 24)


def check(
    roster: list[Entry],
    *,
    present: set[uuid.UUID],
    holder: uuid.UUID | None,
    positions: list[Position] = POSITIONS,
    labels: dict[uuid.UUID, str] = LABELS,
) -> list[AlertRequest]:
    return start_check(CheckInput(ON, True, roster, positions, present, holder, labels))


def entry(position: Position, member: uuid.UUID, cover: Cover | None = None) -> Entry:
    return Entry(position.id, member, EntrySource.SCHEDULE, "assigned", cover=cover)


FULL = [entry(SWK, A), entry(DSWK, B), entry(QM, C), entry(BM, D), entry(APS, C), entry(APS, D)]


class TestStartCheckAlerts:
    def test_no_schedule(self) -> None:
        alerts = start_check(CheckInput(ON, False, [], POSITIONS, set(), None, {}))
        assert alerts == [
            AlertRequest(
                AlertType.DUTY_WATCH_MISSING,
                Severity.CRITICAL,
                "2026-11-24:no_schedule",
                "No Duty Watch Scheduled",
            )
        ]

    def test_lockup_unassigned(self) -> None:
        assert check(FULL, present={A, B, C, D}, holder=None) == [
            AlertRequest(
                AlertType.DUTY_WATCH_MISSING,
                Severity.CRITICAL,
                "2026-11-24:lockup_unassigned",
                "Lockup Unassigned",
            )
        ]

    def test_the_shortage_message_names_single_and_multi_slot_positions(self) -> None:
        roster = [entry(SWK, A), entry(DSWK, B), entry(APS, C)]
        [alert] = check(roster, present={A, B, C}, holder=A)
        assert alert == AlertRequest(
            AlertType.DUTY_WATCH_MISSING,
            Severity.WARNING,
            "2026-11-24:incomplete",
            "Duty Watch Incomplete: QM, BM, APS (1/2)",
        )

    def test_positions_the_unit_does_not_have_are_skipped(self) -> None:
        # No SWK position at all: the rest are still checked, and nothing crashes.
        alert, _not_transferred = check(
            [entry(QM, C)], present={C}, holder=C, positions=[DSWK, QM, APS]
        )
        assert alert.message == "Duty Watch Incomplete: DSWK, APS (0/2)"
        assert alert.subject == "2026-11-24:incomplete"

    def test_a_holder_outside_the_lockup_team_is_named(self) -> None:
        [alert] = check(FULL, present={A, B, C, D}, holder=C)
        assert alert.subject == "2026-11-24:lockup_not_transferred"
        assert "S3 Cole holds lockup" in alert.message

    def test_an_unlabelled_holder_is_named_by_id(self) -> None:
        outsider = uuid.UUID(int=99)
        [alert] = check(FULL, present={A, B, C, D}, holder=outsider)
        assert f"{outsider} holds lockup" in alert.message

    def test_a_holder_covering_the_swk_is_on_the_lockup_team(self) -> None:
        covered = [entry(SWK, A, Cover(uuid.UUID(int=41), SWK.id, C, NOW)), *FULL[1:]]
        assert check(covered, present={B, C, D}, holder=C) == []

    def test_absent_members_are_listed_with_their_positions(self) -> None:
        unlabelled = uuid.UUID(int=98)
        roster = [
            *FULL,
            Entry(uuid.UUID(int=199), unlabelled, EntrySource.NIGHT_OVERRIDE, "assigned"),
        ]
        [alert] = check(roster, present={B, D}, holder=A)
        assert alert == AlertRequest(
            AlertType.DUTY_WATCH_NOT_CHECKED_IN,
            Severity.WARNING,
            "2026-11-24:not_checked_in",
            "Duty Watch members not checked in: "
            f"S1 Able (SWK), S3 Cole (QM), S3 Cole (APS), {unlabelled} (?)",
        )


def refusal(error: SentinelError, code: str) -> None:
    assert error.code == code
    assert isinstance(error.message, str) and error.message


class TestCoverRefusals:
    def request(self, **kw: object) -> CoverRequest:
        values: dict[str, object] = {
            "member_id": A,
            "position": QM,
            "is_present": True,
            "qualification_codes": frozenset({"QM", "BM"}),
            "active_on_position": [],
            "member_cover": None,
        }
        values.update(kw)
        return CoverRequest(**values)  # type: ignore[arg-type]

    def test_only_duty_watch_positions(self) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_cover(self.request(position=Position(uuid.uuid4(), "COOK", 1)))
        refusal(refused.value, "invalid_position")

    def test_presence(self) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_cover(self.request(is_present=False))
        refusal(refused.value, "member_not_present")

    def test_qualification(self) -> None:
        with pytest.raises(Forbidden) as refused:
            check_cover(self.request(position=APS))
        refusal(refused.value, "not_qualified")
        assert "APS" in refused.value.message

    def test_already_covering_this_position(self) -> None:
        mine = Cover(uuid.uuid4(), QM.id, A, NOW)
        with pytest.raises(RuleViolation) as refused:
            check_cover(self.request(member_cover=mine, active_on_position=[mine]))
        refusal(refused.value, "already_covering")

    def test_position_full(self) -> None:
        taken = [Cover(uuid.uuid4(), QM.id, B, NOW)]
        with pytest.raises(RuleViolation) as refused:
            check_cover(self.request(active_on_position=taken))
        refusal(refused.value, "position_full")
