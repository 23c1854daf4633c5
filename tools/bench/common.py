"""Shared benchmark helpers: percentiles, CPU accounting, result files, scratch databases.

Also the machine's penalty for work done right after an idle gap (`idle_penalty`).
"""

import json
import math
import os
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import text

from shared.db.engine import driver_dsn, make_engine, make_sessionmaker
from tools.seed import SeededMember, open_building, seed

TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    # Nearest rank is ceil(q/100 * n). `round(x + 0.5)` is not: it rounds half to even, so the
    # p99 of 100 values came out as their maximum. q * n before the division keeps it exact.
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered) / 100) - 1))
    return ordered[index]


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds consumed so far by the given processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def children_of(pid: int) -> list[int]:
    """Direct children of a process (e.g. PostgreSQL backends of the postmaster)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


@dataclass
class CpuMeter:
    """CPU share of named process groups over a measured interval."""

    groups: dict[str, list[int]]

    def start(self) -> None:
        """Begin an interval."""
        self._wall = time.perf_counter()
        self._cpu = {name: cpu_seconds(pids) for name, pids in self.groups.items()}

    def stop(self) -> dict[str, float]:
        """End the interval; return percent of one core per group."""
        wall = time.perf_counter() - self._wall
        return {
            name: round(100 * (cpu_seconds(pids) - self._cpu[name]) / wall, 1)
            for name, pids in self.groups.items()
        }


def write_results(name: str, results: dict[str, object]) -> Path:
    """Write results as JSON under bench-results/; return the path."""
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    path = out / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    return path


async def seed_unit(
    database_url: str, members: int, *, building: str = "open"
) -> list[SeededMember]:
    """Seed a unit of `members` (badges, divisions), open the building if asked, as in service.

    A unit in service has a state row for every member who ever tapped (a member's first tap
    ever creates it, in the locked path) and table statistics; a just-seeded database has
    neither until autovacuum's first pass (up to a minute), which would measure plans and paths
    nobody runs.
    """
    engine = make_engine(database_url, application_name="bench")
    try:
        async with make_sessionmaker(engine).begin() as session:
            seeded = await seed(session, members=members, rng=random.Random(5))
            if building == "open":
                await open_building(session, uuid.UUID(seeded[0].member_id))
        async with engine.connect() as connection:
            await connection.execute(
                text(
                    "INSERT INTO member_states (member_id) SELECT id FROM members"
                    " ON CONFLICT DO NOTHING"
                )
            )
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    finally:
        await engine.dispose()
    return seeded


async def admin_sql(server_url: str, sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on a server's admin database URL."""
    conn = await asyncpg.connect(driver_dsn(server_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def tap(
    n: int, *, uids: Sequence[str], readers: int, boot: str, base_s: float, prefix: str = "bench"
) -> tuple[str, str, bytes]:
    """The n-th simulated tap: (reader id, event id, scan payload).

    Round-robin over the badges and `readers`; each member's device time 6 s after their last
    tap (outside the duplicate window), starting at `base_s` (epoch seconds), NTP-synced.
    """
    device = f"{prefix}-rdr-{n % readers}"
    uid = uids[n % len(uids)]
    event_id = f"{device}:{boot}:{n}"
    body = {
        "v": 1,
        "event_id": event_id,
        "boot_id": boot,
        "seq": n,
        "uid": uid,
        "uid_len": len(uid) // 2,
        "ts": int((base_s + (n // len(uids)) * 6) * 1000),
        "ts_src": "ntp",
        "mono_ms": n,
        "replayed": False,
    }
    return device, event_id, json.dumps(body, separators=(",", ":")).encode()


def _scan_sized_work() -> None:
    """About a scan's worth of the ingest's own Python: build and serialise check-in events."""
    from shared.contracts.checkin import CheckinEvent
    from shared.domain.checkin import Direction, Method

    at = datetime.now(UTC)
    for n in range(10):
        CheckinEvent(
            id=uuid.UUID(int=n),
            member_id=uuid.UUID(int=n + 1),
            display_name="AB Smith",
            division="OPS",
            direction=Direction.IN,
            at=at,
            source="reader-01",
            method=Method.BADGE,
            device_id="reader-01",
            event_id=f"event-{n}",
        ).to_bytes()


def idle_penalty(
    *, gap_s: float = 0.01, rounds: int = 100, work: Callable[[], None] = _scan_sized_work
) -> dict[str, float]:
    """Time the same Python work back to back and after each `gap_s` of idleness.

    On a virtual machine a process woken after a few milliseconds asleep runs slower for a
    while (cold caches, a vCPU that was halted or lent out): every tap at a low rate pays it,
    every tap in a burst does not. The ratio tells how much of a low-rate latency is the
    machine's rather than the code's. Medians in microseconds; the gap is a sleep by design.
    """
    work()  # imports and first-call costs are not what is measured

    def median_us(gap: float) -> float:
        times = []
        for _ in range(rounds):
            if gap:
                time.sleep(gap)
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return round(percentile(times, 50) * 1e6, 1)

    warm = median_us(0)
    after_idle = median_us(gap_s)
    return {
        "gap_ms": gap_s * 1000,
        "warm_us": warm,
        "after_idle_us": after_idle,
        "ratio": round(after_idle / warm, 2),
    }
