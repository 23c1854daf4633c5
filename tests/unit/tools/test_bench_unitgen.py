"""tools.bench.unitgen: the generated unit's calendar and check-ins realise its ground truth.

The truth (`nights`, `attended`) is what the golden report test and the report benchmark compare
the engine against; here it is checked against the generated rows themselves, with the §8.2
rule (at least 60 minutes of presence inside 19:00-22:00 local) written out independently.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tools.bench.unitgen import GeneratedUnit, UnitSpec, generate_unit, truth_nights

SPEC = UnitSpec(members=12, seed=3)


@pytest.fixture(scope="module")
def unit() -> GeneratedUnit:
    return generate_unit(SPEC)


def test_truth_nights_are_the_tuesdays_not_excluded_by_the_calendar() -> None:
    nights = truth_nights(UnitSpec())

    assert nights[0] == date(2025, 9, 2) and nights[-1] == date(2026, 6, 30)
    assert {night.weekday() for night in nights} == {1}
    excluded = {
        date(2025, 11, 11),  # Remembrance Day, a stat holiday on a Tuesday
        date(2025, 12, 23),  # Christmas stand-down
        date(2025, 12, 30),
        date(2026, 3, 17),  # cancelled training
        date(2026, 4, 7),  # day off
    }
    assert not excluded & set(nights)
    every_tuesday = (date(2026, 6, 30) - date(2025, 9, 2)).days // 7 + 1
    assert len(nights) == every_tuesday - len(excluded)


def test_generation_is_deterministic_for_a_spec(unit: GeneratedUnit) -> None:
    again = generate_unit(SPEC)

    def shape(u: GeneratedUnit) -> list[tuple[object, ...]]:
        return [(m.service_number, m.rank, m.status, m.joined_on, m.attended) for m in u.members]

    def rows(u: GeneratedUnit) -> list[tuple[object, ...]]:
        return [(at, direction, source) for _, at, _, direction, source, _ in u.checkins]

    assert shape(again) == shape(unit)
    assert rows(again) == rows(unit) != []


def test_every_visit_is_an_in_then_a_later_out_of_the_same_member(unit: GeneratedUnit) -> None:
    rows = unit.checkins

    assert len(rows) % 2 == 0 and len(rows) > 10 * len(unit.members)
    for check_in, check_out in zip(rows[0::2], rows[1::2], strict=True):
        assert (check_in[3], check_out[3]) == ("in", "out")
        assert check_in[2] == check_out[2]
        assert check_out[1] > check_in[1]
        # A forgotten check-out is closed by the daily reset at 03:00 local (§0.2 rule 7).
        if check_out[4] == "SYSTEM":
            assert check_out[1].astimezone(ZoneInfo(SPEC.tz)).time() == time(3, 0)


def test_attended_nights_are_exactly_those_with_an_hour_in_the_window(unit: GeneratedUnit) -> None:
    tz = ZoneInfo(SPEC.tz)
    visits: dict[object, list[tuple[datetime, datetime]]] = defaultdict(list)
    for check_in, check_out in zip(unit.checkins[0::2], unit.checkins[1::2], strict=True):
        visits[check_in[2]].append((check_in[1], check_out[1]))

    def minutes_in_window(member_id: object, night: date) -> float:
        start = datetime.combine(night, SPEC.window[0], tzinfo=tz)
        end = datetime.combine(night, SPEC.window[1], tzinfo=tz)
        overlap = timedelta()
        for came, left in visits[member_id]:
            overlap += max(timedelta(), min(left, end) - max(came, start))
        return overlap.total_seconds() / 60

    checked = 0
    for member in unit.members:
        assert member.attended <= set(unit.nights)
        for night in unit.nights:
            if night < member.joined_on:
                assert night not in member.attended  # visits before joining never count
                continue
            held = minutes_in_window(member.id, night) >= SPEC.minimum_minutes
            assert held == (night in member.attended), (member.service_number, night)
            checked += 1
    assert checked > 300
    assert any(m.attended for m in unit.members)
    assert any(set(unit.nights) - m.attended for m in unit.members)
