"""`python -m tools.seed`: create a demo unit (divisions, members with badges) in the database.

Prints the created members with their badge UIDs as JSON on stdout with `--json`.
"""

import argparse
import asyncio
import json
import random
import sys
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.engine import make_engine, make_sessionmaker
from shared.db.models import Badge, Division, Member, Rank
from shared.domain.dds import DdsStatus
from shared.domain.display import NameParts, display_names
from shared.domain.lockup import BuildingStatus
from shared.domain.opday import operational_date
from shared.settings import Settings
from shared.store import dds as dds_store
from shared.store import lockup as lockup_store

DIVISIONS = {
    "ADMIN": "Administration",
    "DECK": "Deck",
    "LOG": "Logistics",
    "OPS": "Operations",
    "TRG": "Training",
}
FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Drew",
    "Robin",
    "Pat",
    "Lee",
    "Kim",
]
LAST = [
    "Smith",
    "Tremblay",
    "Martin",
    "Roy",
    "Gagnon",
    "Lee",
    "Wilson",
    "Johnson",
    "MacDonald",
    "Taylor",
    "Campbell",
    "Anderson",
    "Leblanc",
    "Cote",
    "Brown",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Ouellet",
    "Girard",
    "Nguyen",
    "Singh",
    "Chen",
]
RANKS = ["S3", "S2", "S1", "MS", "PO2", "PO1", "CPO2", "CPO1", "SLt", "Lt(N)", "LCdr"]


@dataclass(frozen=True, slots=True)
class SeededMember:
    """A created member as printed by `--json`."""

    member_id: str
    service_number: str
    display_name: str
    rank: str
    division: str
    badge_uid: str


async def ensure_divisions(session: AsyncSession) -> dict[str, uuid.UUID]:
    """Create the demo divisions that do not exist yet; return code → id."""
    existing = {
        code: id_ for code, id_ in (await session.execute(select(Division.code, Division.id)))
    }
    missing = [{"code": c, "name": n} for c, n in DIVISIONS.items() if c not in existing]
    if missing:
        await session.execute(insert(Division), missing)
    return {code: id_ for code, id_ in (await session.execute(select(Division.code, Division.id)))}


async def seed(session: AsyncSession, *, members: int, rng: random.Random) -> list[SeededMember]:
    """Create `members` members, each with an active badge; never commits."""
    divisions = await ensure_divisions(session)
    ranks = {code: id_ for code, id_ in await session.execute(select(Rank.code, Rank.id))}
    taken = set((await session.execute(text("SELECT service_number FROM members"))).scalars())
    people = []
    for _ in range(members):
        number = f"V{rng.randrange(10**7, 10**8)}"
        while number in taken:
            number = f"V{rng.randrange(10**7, 10**8)}"
        taken.add(number)
        rank = rng.choice(RANKS)
        people.append(
            (number, rank, rng.choice(FIRST), rng.choice(LAST), rng.choice(list(DIVISIONS)))
        )
    names = display_names(NameParts(rank, first, last) for _, rank, first, last, _ in people)
    out: list[SeededMember] = []
    member_rows, badge_rows = [], []
    for (number, rank, first, last, division), name in zip(people, names, strict=True):
        member_id = uuid.uuid4()
        uid = _uid(rng)
        member_rows.append(
            {
                "id": member_id,
                "service_number": number,
                "rank_id": ranks[rank],
                "first_name": first,
                "last_name": last,
                "display_name": name,
                "division_id": divisions[division],
            }
        )
        badge_rows.append(
            {
                "serial_number": uid,
                "assignment_type": "member",
                "member_id": member_id,
                "status": "active",
            }
        )
        out.append(SeededMember(str(member_id), number, name, rank, division, uid))
    if member_rows:
        await session.execute(insert(Member), member_rows)
        await session.execute(insert(Badge), badge_rows)
    return out


def _uid(rng: random.Random) -> str:
    """A random 4- or 7-byte UID as RC522 readers report them (uppercase hex)."""
    length = rng.choice((4, 7))
    data = bytes(rng.randrange(256) for _ in range(length))
    if length == 7:
        data = b"\x04" + data[1:]  # NXP manufacturer byte, as on real 7-byte cards
    elif data[0] == 0x88:
        data = b"\x08" + data[1:]  # 0x88 is the cascade tag; keep demo UIDs unambiguous
    return data.hex().upper()


async def _run(args: argparse.Namespace) -> list[SeededMember]:
    settings = Settings()
    engine = make_engine(settings.database_url, application_name="sentinel-seed", pool_size=1)
    try:
        async with make_sessionmaker(engine).begin() as session:
            return await seed(session, members=args.members, rng=random.Random(args.seed))
    finally:
        await engine.dispose()


async def open_building(session: AsyncSession, dds: uuid.UUID) -> None:
    """A working day: the building open and today's DDS accepted, so arrivals need no prompt.

    In the ingest bench, with `--building secured` every arrival also gets a responsibility prompt (domain.md
    §2.11 step 11), which is what the first minutes of a day look like.
    """
    now = datetime.now(UTC)
    on = operational_date(now, tz=ZoneInfo(Settings().timezone), rollover=Settings().day_rollover)
    cycle = await lockup_store.start_cycle(session, on=on, now=now, closed_reason="bench")
    await lockup_store.update_cycle(
        session, cycle.id, now=now, building_status=BuildingStatus.OPEN.value, opened_at=now
    )
    await dds_store.insert_row(session, member_id=dds, on=on, status=DdsStatus.ACTIVE, now=now)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m tools.seed", description=__doc__)
    parser.add_argument("--members", type=int, default=50, help="members to create (default 50)")
    parser.add_argument("--seed", type=int, default=None, help="random seed for repeatable data")
    parser.add_argument("--json", action="store_true", help="print the members as JSON")
    args = parser.parse_args(argv)
    if args.members < 0:
        parser.error("--members must be >= 0")
    try:
        created = asyncio.run(_run(args))
    except OSError as exc:
        print(f"seed: cannot reach the database: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump([asdict(m) for m in created], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"created {len(created)} members with badges", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
