"""Generates a unit with a year of check-ins whose training-night attendance is known in advance.

The generator decides, for every member and night, whether the member attended; then writes
check-ins that realise the decision, including the traps an engine can fall into: presence
that starts before the window, a split visit, a forgotten check-out closed by the daily reset,
an in-scan inside the window with too little presence, a visit after midnight that belongs to
the night's operational day, visits on cancelled nights and before the member joined, and
local times across both DST changes. The truth (`nights`, `attended`) never comes from the
engine: the golden test and the benchmark compare the engine against it.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import Division, Rank, ReportSetting, StatHoliday, TrainingYear

DIVISIONS = {"ADMIN": "Administration", "DECK": "Deck", "LOG": "Logistics", "OPS": "Operations"}
RANKS = ["S3", "S2", "S1", "MS", "PO2", "PO1", "CPO2", "SLt", "Lt(N)", "LCdr"]
TYPES = [("class_a", 80), ("class_b", 7), ("class_c", 3), ("reg_force", 5), ("civilian_staff", 5)]
NAMES = ["Smith", "Tremblay", "Martin", "Roy", "Gagnon", "Lee", "Wilson", "MacDonald", "Singh"]


@dataclass(frozen=True)
class UnitSpec:
    """The shape of the generated unit; defaults: training year 2025-26, Tuesdays 19:00-22:00."""

    members: int = 300
    seed: int = 7
    start_on: date = date(2025, 9, 1)
    end_on: date = date(2026, 6, 30)
    tz: str = "America/Winnipeg"
    window: tuple[time, time] = (time(19, 0), time(22, 0))
    minimum_minutes: int = 60
    weekday: int = 1  # Tuesday
    holiday_ranges: tuple[tuple[date, date, str], ...] = (
        (date(2025, 12, 20), date(2026, 1, 4), "Christmas stand-down"),
    )
    stat_holidays: tuple[tuple[date, str], ...] = (
        (date(2025, 9, 1), "Labour Day"),
        (date(2025, 10, 13), "Thanksgiving"),
        (date(2025, 11, 11), "Remembrance Day"),  # a Tuesday: a holiday on a training night
        (date(2026, 5, 18), "Victoria Day"),
    )
    cancelled_training: tuple[date, ...] = (date(2026, 3, 17),)
    day_off: tuple[date, ...] = (date(2026, 4, 7),)
    cancelled_admin: tuple[date, ...] = (date(2026, 3, 19), date(2026, 2, 10))  # no effect


@dataclass
class GenMember:
    """A generated member and the truth about them."""

    id: uuid.UUID
    service_number: str
    rank: str
    first_name: str
    last_name: str
    division: str
    member_type: str
    status: str
    joined_on: date
    attended: set[date] = field(default_factory=set)


@dataclass
class GeneratedUnit:
    """The unit, its check-in rows and the ground truth."""

    spec: UnitSpec
    nights: list[date]
    members: list[GenMember]
    checkins: list[tuple[uuid.UUID, datetime, uuid.UUID, str, str, str]]


def truth_nights(spec: UnitSpec) -> list[date]:
    """Training nights by the unit's own calendar, written out here independently."""
    excluded = {on for on, _ in spec.stat_holidays} | set(spec.cancelled_training)
    excluded |= set(spec.day_off)
    for start, end, _ in spec.holiday_ranges:
        excluded |= {start + timedelta(days=i) for i in range((end - start).days + 1)}
    days = (spec.end_on - spec.start_on).days + 1
    every = [spec.start_on + timedelta(days=i) for i in range(days)]
    return [on for on in every if on.weekday() == spec.weekday and on not in excluded]


class _Writer:
    """Turns local wall times into check-in rows."""

    def __init__(self, spec: UnitSpec) -> None:
        self.tz = ZoneInfo(spec.tz)
        self.rows: list[tuple[uuid.UUID, datetime, uuid.UUID, str, str, str]] = []

    def at(self, on: date, hh: int, mm: int, days: int = 0) -> datetime:
        local = datetime.combine(on + timedelta(days=days), time(hh, mm), tzinfo=self.tz)
        return local.astimezone(UTC)

    def visit(self, member: uuid.UUID, start: datetime, end: datetime | None, on: date) -> None:
        self.rows.append((uuid.uuid4(), start, member, "in", "rdr-main", "badge"))
        if end is None:  # forgot to check out: the daily reset closes it at 03:00 (§0.2 rule 7)
            end = self.at(on, 3, 0, days=1)
            self.rows.append((uuid.uuid4(), end, member, "out", "SYSTEM", "system"))
        else:
            self.rows.append((uuid.uuid4(), end, member, "out", "rdr-main", "badge"))


def _attend(w: _Writer, rng: random.Random, member: uuid.UUID, on: date) -> None:
    """A visit with at least 60 minutes inside 19:00-22:00."""
    pattern = rng.randrange(5)
    if pattern == 0:
        w.visit(
            member, w.at(on, 18, rng.randrange(30, 60)), w.at(on, 21, rng.randrange(30, 59)), on
        )
    elif pattern == 1:  # in-scan before the window; presence overlaps 65-85 min
        w.visit(member, w.at(on, 16, rng.randrange(0, 59)), w.at(on, 20, rng.randrange(5, 25)), on)
    elif pattern == 2:  # 65 min in the window; a window off by an hour (DST bug) sees 5
        w.visit(member, w.at(on, 20, 55), w.at(on, 22, 15), on)
    elif pattern == 3:
        w.visit(member, w.at(on, 18, 45), None, on)
    else:  # two stays, 35 + 30 min
        w.visit(member, w.at(on, 19, 0), w.at(on, 19, 35), on)
        w.visit(member, w.at(on, 21, 20), w.at(on, 21, 50), on)


def _miss(w: _Writer, rng: random.Random, member: uuid.UUID, on: date) -> None:
    """Nothing, or a visit with less than 60 minutes inside the window."""
    pattern = rng.randrange(8)
    if pattern == 0:  # in-scan inside the window but only 45-50 min of it
        w.visit(member, w.at(on, 21, rng.randrange(10, 16)), w.at(on, 22, 30), on)
    elif pattern == 1:
        w.visit(member, w.at(on, 12, 0), w.at(on, 18, 40), on)
    elif pattern == 2:
        w.visit(member, w.at(on, 22, 10), w.at(on, 23, 30), on)
    elif pattern == 3:  # after midnight: operational day = this night, outside its window
        w.visit(member, w.at(on, 0, 20, days=1), w.at(on, 1, 30, days=1), on)
    elif pattern == 4:
        w.visit(member, w.at(on, 19, 10), w.at(on, 19, 50), on)


def generate_unit(spec: UnitSpec) -> GeneratedUnit:
    """Build the unit in memory (deterministic for a given spec)."""
    rng = random.Random(spec.seed)
    nights = truth_nights(spec)
    w = _Writer(spec)
    members = []
    types = [t for t, n in TYPES for _ in range(n)]
    for index in range(spec.members):
        mid_year = rng.random() < 0.15
        joined = (
            spec.start_on + timedelta(days=rng.randrange(30, 300)) if mid_year else date(2020, 1, 6)
        )
        member = GenMember(
            id=uuid.uuid4(),
            service_number=f"G{index:07d}",
            rank=rng.choice(RANKS),
            first_name=f"First{index}",
            last_name=f"{rng.choice(NAMES)}{index}",
            division=rng.choice(sorted(DIVISIONS)),
            member_type=rng.choice(types),
            status="inactive" if rng.random() < 0.03 else "active",
            joined_on=joined,
        )
        members.append(member)
        propensity = rng.uniform(0.05, 1.0)
        for on in nights:
            if on < member.joined_on:
                if rng.random() < 0.3:  # came by before joining: must not count
                    _attend(w, rng, member.id, on)
            elif rng.random() < propensity:
                member.attended.add(on)
                _attend(w, rng, member.id, on)
            else:
                _miss(w, rng, member.id, on)
        _noise(w, rng, spec, member)
    return GeneratedUnit(spec, nights, members, w.rows)


def _noise(w: _Writer, rng: random.Random, spec: UnitSpec, member: GenMember) -> None:
    """Visits on cancelled Tuesdays, admin nights and, for FT staff, working days."""
    cancelled = {on for on, _ in spec.stat_holidays} | set(spec.cancelled_training)
    cancelled |= set(spec.day_off) | {spec.holiday_ranges[0][0] + timedelta(days=3)}
    for on in sorted(cancelled):
        if on.weekday() == spec.weekday and rng.random() < 0.3:
            w.visit(member.id, w.at(on, 18, 50), w.at(on, 22, 0), on)
    on = spec.start_on
    while on <= spec.end_on:
        if on.weekday() == 3 and rng.random() < 0.2:  # Thursday admin night
            w.visit(member.id, w.at(on, 19, 0), w.at(on, 21, 30), on)
        full_time = member.member_type in ("class_b", "class_c", "reg_force")
        if full_time and on.weekday() < 5 and on.weekday() != spec.weekday and rng.random() < 0.8:
            w.visit(member.id, w.at(on, 7, 50), w.at(on, 16, 5), on)
        on += timedelta(days=1)


async def load_unit(session: AsyncSession, unit: GeneratedUnit) -> None:
    """Write the unit, its calendar, settings and check-ins (COPY for the bulk rows)."""
    spec = unit.spec
    ranks = {code: rank_id for code, rank_id in await session.execute(select(Rank.code, Rank.id))}
    divisions = {code: uuid.uuid4() for code in DIVISIONS}
    await session.execute(
        insert(Division), [{"id": i, "code": c, "name": DIVISIONS[c]} for c, i in divisions.items()]
    )
    raw = await (await session.connection()).get_raw_connection()
    conn = raw.driver_connection
    assert conn is not None
    tz = ZoneInfo(spec.tz)
    await conn.copy_records_to_table(
        "members",
        columns=[
            "id",
            "service_number",
            "rank_id",
            "first_name",
            "last_name",
            "display_name",
            "division_id",
            "member_type",
            "status",
            "joined_on",
            "created_at",
        ],
        records=[
            (
                m.id,
                m.service_number,
                ranks[m.rank],
                m.first_name,
                m.last_name,
                f"{m.rank} {m.last_name}, {m.first_name[0]}",
                divisions[m.division],
                m.member_type,
                m.status,
                m.joined_on,
                datetime.combine(m.joined_on, time(12), tzinfo=tz),
            )
            for m in unit.members
        ],
    )
    await conn.copy_records_to_table(
        "checkins",
        columns=["id", "at", "member_id", "direction", "source", "method"],
        records=unit.checkins,
    )
    await session.execute(
        insert(TrainingYear).values(
            name=f"{spec.start_on.year}-{spec.end_on.year}",
            start_on=spec.start_on,
            end_on=spec.end_on,
            is_current=True,
            holiday_exclusions=[
                {"start": s.isoformat(), "end": e.isoformat(), "name": n}
                for s, e, n in spec.holiday_ranges
            ],
            day_exceptions=[
                {"date": on.isoformat(), "type": kind}
                for kind, dates in (
                    ("cancelled_training", spec.cancelled_training),
                    ("day_off", spec.day_off),
                    ("cancelled_admin", spec.cancelled_admin),
                )
                for on in dates
            ],
        )
    )
    await session.execute(
        insert(StatHoliday), [{"holiday_on": on, "name": n} for on, n in spec.stat_holidays]
    )
    start, end = spec.window
    schedule = {
        "trainingNightDay": "tuesday",
        "trainingNightStart": start.strftime("%H:%M"),
        "trainingNightEnd": end.strftime("%H:%M"),
        "minimumPresenceMinutes": spec.minimum_minutes,
    }
    await session.execute(insert(ReportSetting).values(key="schedule", value=schedule))
    await session.execute(text("ANALYZE checkins"))
