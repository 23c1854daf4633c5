"""Scale-out: several `python -m ingest` processes on one `$share/ingest/...` subscription.

Three workers run against the secured production broker configuration, so the service ACL
is proven with real traffic. Four readers flush a burst at once, as they do after an outage:
a hot member's taps move between readers every 10 s of event time, interleaved with other
members' taps. The broker spreads the burst over the workers, which race for the same
member-state rows. The burst runs once per module; each test checks one property of it.
"""

import asyncio
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from shared.db.engine import make_engine, make_sessionmaker
from tests.e2e.conftest import JOBS_OFF
from tests.fixtures.database import plain_dsn
from tests.fixtures.factories import MadeMember, make_member
from tests.fixtures.scans import scan_payload, scan_topic
from tests.fixtures.secure_broker import SecureBroker, Session, open_client, start_secure_broker
from tests.fixtures.services import PostgresServer
from tools.localservices.ports import free_port
from tools.provision.acl import Role
from tools.stack import Endpoints, Processes, service_env

pytestmark = pytest.mark.e2e

WORKERS = 3
READERS = 4
HOT_TAPS = 24
OTHER_MEMBERS = 6
OTHER_TAPS = 6
SPACING = timedelta(seconds=10)  # wider than the 5 s duplicate window
TOTAL = HOT_TAPS + OTHER_MEMBERS * OTHER_TAPS
FEEDBACK = f"{topics.PREFIX}/readers/+/feedback"
BOOT_ID = "5ca1e0ff"  # the burst's scans; the drain scans use another boot id


@dataclass
class Outcome:
    """What the burst produced."""

    members: list[MadeMember]
    answers: list[dict[str, object]]
    processed: dict[str, int]  # event id → processed_events rows
    checkins_per_event: Counter[str]
    history: dict[uuid.UUID, list[str]]  # member → directions in event-time order
    states: dict[uuid.UUID, tuple[str, datetime]]
    newest: dict[uuid.UUID, tuple[str, datetime]]
    handled: list[float] = field(default_factory=list)  # scans per worker (its metrics)
    retained: dict[str, str] = field(default_factory=dict)  # member id → retained presence


def burst(readers: list[str], members: list[MadeMember], start: datetime) -> dict[str, list[bytes]]:
    """Per reader, its scans in event-time order, as its offline outbox would replay them."""
    hot, others = members[0], members[1:]
    taps = [(start + k * SPACING, readers[k % READERS], hot) for k in range(HOT_TAPS)]
    for index, member in enumerate(others):
        for k in range(OTHER_TAPS):
            at = start + k * SPACING + timedelta(seconds=1 + index % 4)
            taps.append((at, readers[(k + index) % READERS], member))
    per_reader: dict[str, list[bytes]] = defaultdict(list)
    for at, reader, member in sorted(taps, key=lambda t: t[0]):
        seq = len(per_reader[reader]) + 1
        per_reader[reader].append(
            scan_payload(reader, member.uid, seq=seq, at=at, boot_id=BOOT_ID, replayed=True)
        )
    return per_reader


async def _scans_handled(port: int) -> float:
    async with httpx.AsyncClient(timeout=10) as client:
        body = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith("sentinel_scans_total{")
    )


def _spawn_workers(
    broker: SecureBroker, database_url: str, logs: Path
) -> tuple[Processes, list[int]]:
    env = service_env(
        Endpoints(database_url, broker.url("ingest")),
        **JOBS_OFF,
        SENTINEL_INGEST_SHARE_GROUP="ingest",
        SENTINEL_OUTBOX_RELAY_INTERVAL_S="0.2",
    )
    processes, ports = Processes(), [free_port() for _ in range(WORKERS)]
    for index, port in enumerate(ports):
        worker = {
            "SENTINEL_INGEST_CLIENT_ID": f"ingest-{index}-{uuid.uuid4().hex[:6]}",
            "SENTINEL_INGEST_METRICS_PORT": str(port),
        }
        processes.spawn("ingest", {**env, **worker}, logs / f"ingest-{index}.log")
    return processes, ports


async def _run_burst(broker: SecureBroker, database_url: str, logs: Path) -> Outcome:
    engine = make_engine(database_url, application_name="sentinel-tests")
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker.begin() as session:
        members = [await make_member(session, last_name="Hot")]
        members += [await make_member(session, last_name=f"Other{i}") for i in range(OTHER_MEMBERS)]
    readers = [f"scale-r{i}-{uuid.uuid4().hex[:6]}" for i in range(READERS)]
    for reader in readers:
        broker.add(reader, Role.READER)
    await broker.reload()
    processes, ports = Processes(), list[int]()
    try:
        async with open_client(broker, "dashboard") as dashboard:
            await dashboard.subscribe(topics.PRESENCE_SUMMARY)
            processes, ports = _spawn_workers(broker, database_url, logs)
            # Each worker subscribes, then republishes the presence summary: one per worker.
            await dashboard.collect(topics.PRESENCE_SUMMARY, WORKERS, timeout=60)
        per_reader = burst(readers, members, datetime.now(UTC) - timedelta(hours=2))
        async with open_client(broker, "monitor") as monitor:
            await monitor.subscribe(FEEDBACK)
            async with asyncio.TaskGroup() as group:
                for reader in readers:
                    group.create_task(_flush_as(broker, reader, per_reader[reader]))
            answers = [m.json() for m in await monitor.collect(FEEDBACK, TOTAL, timeout=60)]
            drained = await _drain_workers(
                broker, monitor, readers[0], len(per_reader[readers[0]]), ports
            )
            handled = [count - 1 for count in drained]  # less each worker's drain scan
        retained = await _retained_presence(broker, len(members))
    finally:
        await asyncio.to_thread(processes.stop)
    try:
        return await _read_outcome(sessionmaker, members, answers, handled, retained)
    finally:
        await engine.dispose()


async def _flush_as(broker: SecureBroker, reader: str, payloads: list[bytes]) -> None:
    """Publish a reader's outbox in order, each scan acknowledged before the next."""
    async with open_client(broker, reader, client_id=reader) as device:
        for payload in payloads:
            await device.publish(scan_topic(reader), payload)


async def _drain_workers(
    broker: SecureBroker, monitor: Session, reader: str, sent: int, ports: list[int]
) -> list[float]:
    """Make sure every worker finished its burst batches; return the scans each one counted.

    The shared subscription hands consecutive messages to consecutive members, so one
    unknown-badge scan per worker drains them all. A worker counts its batches in order, once
    each is acknowledged (a moment after its answers went out): when every drain scan is
    counted, so is every batch before it.
    """
    before = [await _scans_handled(port) for port in ports]
    async with open_client(broker, reader, client_id=reader) as device:
        for seq in range(sent + 1, sent + 1 + WORKERS):
            await device.publish(scan_topic(reader), scan_payload(reader, "DEADBEEF", seq=seq))
        await monitor.collect(FEEDBACK, WORKERS, timeout=30)
    async with asyncio.timeout(30):
        while sum(after := [await _scans_handled(port) for port in ports]) < sum(before) + WORKERS:
            await asyncio.sleep(0.05)
    assert [b - a for a, b in zip(before, after, strict=True)] == [1] * WORKERS
    return after


async def _retained_presence(broker: SecureBroker, count: int) -> dict[str, str]:
    """What a dashboard connecting now is told about each member (retained messages)."""
    async with open_client(broker, "dashboard") as dashboard:
        await dashboard.subscribe(f"{topics.PREFIX}/presence/members/+")
        messages = await dashboard.collect(f"{topics.PREFIX}/presence/members/+", count)
    return {m.topic.rsplit("/", 1)[1]: str(m.json()["state"]) for m in messages}


async def _read_outcome(
    sessionmaker: async_sessionmaker[AsyncSession],
    members: list[MadeMember],
    answers: list[dict[str, object]],
    handled: list[float],
    retained: dict[str, str],
) -> Outcome:
    async with sessionmaker() as session:
        processed = await session.execute(
            text(
                "SELECT event_id, count(*) AS n FROM processed_events"
                f" WHERE event_id LIKE '%:{BOOT_ID}:%' GROUP BY event_id"
            )
        )
        checkins = (
            await session.execute(
                text("SELECT member_id, direction, at, event_id FROM checkins ORDER BY at")
            )
        ).all()
        states = await session.execute(text("SELECT member_id, direction, at FROM member_states"))
        outcome = Outcome(
            members=members,
            answers=answers,
            processed={row.event_id: row.n for row in processed},
            checkins_per_event=Counter(row.event_id for row in checkins),
            history=defaultdict(list),
            states={row.member_id: (row.direction, row.at) for row in states},
            newest={},
            handled=handled,
            retained=retained,
        )
    for row in checkins:
        outcome.history[row.member_id].append(row.direction)
        outcome.newest[row.member_id] = (row.direction, row.at)
    return outcome


async def _admin(server: PostgresServer, sql: str) -> None:
    conn = await asyncpg.connect(plain_dsn(server.admin_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def outcome(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: PostgresServer,
    template_database: str,
) -> Iterator[Outcome]:
    """Run the burst once against a fresh database and a secured broker."""
    name = f"scale_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(postgres_server, f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    logs = tmp_path_factory.mktemp("scale-out")
    try:
        with start_secure_broker(logs / "broker") as broker:
            yield asyncio.run(_run_burst(broker, postgres_server.url(name), logs))
    finally:
        asyncio.run(_admin(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_every_scan_is_answered_and_recorded_exactly_once(outcome: Outcome) -> None:
    event_ids = {str(a["event_id"]) for a in outcome.answers}
    assert len(outcome.answers) == len(event_ids) == TOTAL
    assert Counter(str(a["result"]) for a in outcome.answers).keys() <= {
        "checked_in",
        "checked_out",
    }
    assert set(outcome.processed) == event_ids and set(outcome.processed.values()) == {1}
    assert set(outcome.checkins_per_event) == event_ids
    assert set(outcome.checkins_per_event.values()) == {1}


def test_the_burst_is_spread_over_the_workers(outcome: Outcome) -> None:
    assert sum(outcome.handled) == TOTAL
    assert sum(1 for count in outcome.handled if count > 0) >= 2, outcome.handled


def test_each_members_state_is_its_newest_check_in(outcome: Outcome) -> None:
    for member in outcome.members:
        assert outcome.states[member.id] == outcome.newest[member.id], member.display_name


def test_each_members_directions_alternate_in_event_time_order(outcome: Outcome) -> None:
    broken = {}
    for member in outcome.members:
        directions = outcome.history[member.id]
        expected = (["in", "out"] * len(directions))[: len(directions)]
        if directions != expected:
            broken[member.display_name] = "".join(d[0] for d in directions)
    assert broken == {}


def test_retained_presence_matches_each_members_state(outcome: Outcome) -> None:
    stale = {
        m.display_name: (outcome.retained.get(str(m.id)), outcome.states[m.id][0])
        for m in outcome.members
        if outcome.retained.get(str(m.id)) != outcome.states[m.id][0]
    }
    assert stale == {}
