"""Duty Watch nights, tonight's roster and the start-time check (domain.md §5.3–§5.5)."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shared.domain.alerts import AlertType, Severity
from shared.domain.duty_watch import (
    CheckInput,
    Cover,
    CoverRequest,
    EntrySource,
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
from shared.errors import Forbidden, RuleViolation

ANCHOR = date(2026, 1, 5)
DAYS = st.dates(min_value=date(2026, 1, 5), max_value=date(2032, 12, 31))


def weekly(weekday: int, interval: int = 1, start: time = time(19)) -> Rule:
    return Rule(uuid.uuid4(), ANCHOR, start, start, Recurrence.WEEKLY, weekday, interval)


def monthly(weekday: int, ordinal: Ordinal) -> Rule:
    return Rule(
        uuid.uuid4(),
        ANCHOR,
        time(19),
        time(22),
        Recurrence.MONTHLY_NTH_WEEKDAY,
        weekday,
        1,
        ordinal,
    )


@given(DAYS, st.integers(1, 7), st.integers(1, 8))
def test_weekly_rule_matches_its_weekday_every_nth_week(
    day: date, weekday: int, every: int
) -> None:
    weeks = (day - timedelta(days=day.weekday()) - ANCHOR).days // 7
    expected = day.isoweekday() == weekday and weeks % every == 0
    assert rule_matches(weekly(weekday, every), day) is expected


@given(DAYS, st.integers(1, 7), st.sampled_from(Ordinal))
def test_monthly_rule_matches_once_a_month(day: date, weekday: int, ordinal: Ordinal) -> None:
    first = day.replace(day=1)
    assume(first >= ANCHOR)  # a month the rule only starts part-way through may have no hit
    month = [
        first + timedelta(days=i)
        for i in range(31)
        if (first + timedelta(days=i)).month == first.month
    ]
    hits = [d for d in month if rule_matches(monthly(weekday, ordinal), d)]
    if ordinal is Ordinal.LAST or ordinal is not Ordinal.FOURTH or len(hits) == 1:
        assert len(hits) == 1
    assert all(d.isoweekday() == weekday for d in hits)


def test_last_thursday_of_november_2026() -> None:
    hits = [
        d
        for d in (date(2026, 11, i) for i in range(1, 31))
        if rule_matches(monthly(4, Ordinal.LAST), d)
    ]
    assert hits == [date(2026, 11, 26)]


def test_rules_merge_earliest_start_and_latest_end() -> None:
    a = Rule(uuid.uuid4(), ANCHOR, time(19), time(22), Recurrence.WEEKLY, 2)
    b = Rule(uuid.uuid4(), ANCHOR, time(18), time(21), Recurrence.WEEKLY, 2)
    night = night_for([a, b], date(2026, 11, 24))
    assert night is not None and (night.start, night.end) == (time(18), time(22))


def test_default_rules_give_tuesday_and_thursday() -> None:
    assert nights_in_week([weekly(2), weekly(4)], date(2026, 11, 23)) == [
        date(2026, 11, 24),
        date(2026, 11, 26),
    ]


def test_nothing_before_the_effective_start() -> None:
    assert not rule_matches(weekly(2), date(2025, 12, 30))


SWK, DSWK, QM, BM, APS = (
    Position(uuid.uuid4(), c, n)
    for c, n in (("SWK", 1), ("DSWK", 1), ("QM", 1), ("BM", 1), ("APS", 2))
)
POSITIONS = [SWK, DSWK, QM, BM, APS]


def sched(position: Position, member: uuid.UUID) -> Scheduled:
    return Scheduled(uuid.uuid4(), position.id, member, "assigned")


class TestRoster:
    def test_remove_replace_add(self) -> None:
        a, b, c, d = (uuid.uuid4() for _ in range(4))
        roster = tonight_roster(
            [sched(SWK, a), sched(QM, b)],
            [
                Override(uuid.uuid4(), SWK.id, OverrideType.REPLACE, c, a),
                Override(uuid.uuid4(), QM.id, OverrideType.REMOVE, None, b),
                Override(uuid.uuid4(), BM.id, OverrideType.ADD, d, None),
            ],
            [],
        )
        assert [(e.position_id, e.member_id, e.source) for e in roster] == [
            (SWK.id, c, EntrySource.NIGHT_OVERRIDE),
            (BM.id, d, EntrySource.NIGHT_OVERRIDE),
        ]

    def test_live_cover_attaches_or_appends(self) -> None:
        a, b, c = (uuid.uuid4() for _ in range(3))
        now = datetime(2026, 11, 25, 1, tzinfo=UTC)
        covers = [Cover(uuid.uuid4(), QM.id, b, now), Cover(uuid.uuid4(), BM.id, c, now)]
        roster = tonight_roster([sched(QM, a)], [], covers)
        assert roster[0].cover == covers[0]
        assert (roster[1].member_id, roster[1].source) == (c, EntrySource.LIVE_ONLY)


def full_team() -> tuple[list[Scheduled], dict[uuid.UUID, str]]:
    members = [uuid.uuid4() for _ in range(6)]
    positions = [SWK, DSWK, QM, BM, APS, APS]
    return [sched(p, m) for p, m in zip(positions, members, strict=True)], {
        m: f"M{i}" for i, m in enumerate(members)
    }


class TestStartCheck:
    ON = date(2026, 11, 24)

    def check(
        self,
        roster: list[Scheduled],
        present: set[uuid.UUID],
        holder: uuid.UUID | None,
        has_schedule: bool = True,
    ) -> list[tuple[AlertType, Severity, str]]:
        labels = {s.member_id: f"M-{s.member_id}" for s in roster}
        alerts = start_check(
            CheckInput(
                self.ON,
                has_schedule,
                tonight_roster(roster, [], []),
                POSITIONS,
                present,
                holder,
                labels,
            )
        )
        return [(a.type, a.severity, a.subject.split(":")[1]) for a in alerts]

    def test_a_full_present_team_with_the_swk_holding_lockup_is_quiet(self) -> None:
        team, _ = full_team()
        assert self.check(team, {s.member_id for s in team}, team[0].member_id) == []

    def test_no_schedule_is_critical(self) -> None:
        assert self.check([], set(), None, has_schedule=False) == [
            (AlertType.DUTY_WATCH_MISSING, Severity.CRITICAL, "no_schedule")
        ]

    def test_missing_aps_slot_absent_member_and_wrong_holder(self) -> None:
        team, _ = full_team()
        team = team[:-1]  # one APS short
        present = {s.member_id for s in team[1:]}  # the SWK is absent
        outsider = uuid.uuid4()
        assert self.check(team, present, outsider) == [
            (AlertType.DUTY_WATCH_MISSING, Severity.WARNING, "incomplete"),
            (AlertType.DUTY_WATCH_MISSING, Severity.WARNING, "lockup_not_transferred"),
            (AlertType.DUTY_WATCH_NOT_CHECKED_IN, Severity.WARNING, "not_checked_in"),
        ]

    def test_no_holder_is_critical(self) -> None:
        team, _ = full_team()
        assert self.check(team, {s.member_id for s in team}, None) == [
            (AlertType.DUTY_WATCH_MISSING, Severity.CRITICAL, "lockup_unassigned")
        ]


class TestCover:
    def request(self, **kw: object) -> CoverRequest:
        values: dict[str, object] = {
            "member_id": uuid.uuid4(),
            "position": QM,
            "is_present": True,
            "qualification_codes": frozenset({"QM"}),
            "active_on_position": [],
            "member_cover": None,
        }
        values.update(kw)
        return CoverRequest(**values)  # type: ignore[arg-type]

    def test_needs_the_positions_qualification(self) -> None:
        with pytest.raises(Forbidden):
            check_cover(self.request(qualification_codes=frozenset({"BM"})))

    def test_needs_presence(self) -> None:
        with pytest.raises(RuleViolation, match="checked in"):
            check_cover(self.request(is_present=False))

    def test_full_position_is_refused(self) -> None:
        now = datetime(2026, 11, 25, tzinfo=UTC)
        taken = [Cover(uuid.uuid4(), QM.id, uuid.uuid4(), now)]
        with pytest.raises(RuleViolation, match="maximum of 1"):
            check_cover(self.request(active_on_position=taken))

    def test_cover_elsewhere_is_returned_to_end(self) -> None:
        now = datetime(2026, 11, 25, tzinfo=UTC)
        member = uuid.uuid4()
        elsewhere = Cover(uuid.uuid4(), BM.id, member, now)
        assert check_cover(self.request(member_id=member, member_cover=elsewhere)) == elsewhere
