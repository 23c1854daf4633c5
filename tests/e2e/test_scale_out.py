"""Scale-out: several `python -m ingest` processes on one `$share/ingest/...` subscription.

Three workers run against the secured production broker configuration (so the service ACL is
proven with real traffic). Four readers flush a burst at once, as they do after an outage:
a hot member's taps alternate between readers every 10 s of event time, interleaved with
other members' taps. The broker spreads the burst over the workers, which race for the same
member rows; the member-state row lock must keep every member's history consistent.
"""

import asyncio
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from tests.fixtures.factories import MadeMember, make_member
from tests.fixtures.mqtt import unique_name
from tests.fixtures.scans import scan_payload, scan_topic
from tests.fixtures.secure_broker import SecureBroker, Session, open_client, start_secure_broker
from tools.localservices.ports import free_port
from tools.provision.acl import Role
from tools.stack import Endpoints, Processes, service_env

pytestmark = pytest.mark.e2e

WORKERS = int(__import__("os").environ.get("WORKERS", "3"))
READERS = 4
HOT_TAPS = 24
OTHER_MEMBERS = 6
OTHER_TAPS = 6
SPACING = timedelta(seconds=10)  # wider than the 5 s duplicate window


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    with start_secure_broker(tmp_path_factory.mktemp("scale-out-broker")) as secured:
        yield secured


@pytest.fixture
async def workers(
    broker: SecureBroker, database_url: str, tmp_path: Path
) -> AsyncIterator[list[int]]:
    """Start the ingest workers; yield their metrics ports once every one is subscribed."""
    env = service_env(
        Endpoints(database_url, broker.url("ingest")),
        SENTINEL_INGEST_SHARE_GROUP="ingest",
        SENTINEL_LOG_LEVEL="INFO",
        SENTINEL_OUTBOX_RELAY_INTERVAL_S="0.2",
    )
    processes = Processes()
    ports = [free_port() for _ in range(WORKERS)]
    try:
        async with open_client(broker, "dashboard") as dashboard:
            await dashboard.subscribe(topics.PRESENCE_SUMMARY)
            for index, port in enumerate(ports):
                processes.spawn(
                    "ingest",
                    {
                        **env,
                        "SENTINEL_INGEST_CLIENT_ID": f"ingest-{index}-{uuid.uuid4().hex[:6]}",
                        "SENTINEL_INGEST_METRICS_PORT": str(port),
                    },
                    tmp_path / f"ingest-{index}.log",
                )
            # Each worker subscribes, then republishes the presence summary: one per worker.
            await dashboard.collect(topics.PRESENCE_SUMMARY, WORKERS, timeout=60)
        yield ports
    finally:
        await asyncio.to_thread(processes.stop)


def burst(
    readers: list[str], hot: MadeMember, others: list[MadeMember], start: datetime
) -> dict[str, list[bytes]]:
    """Per reader, its scans in event-time order, as its offline outbox would replay them."""
    taps: list[tuple[datetime, str, MadeMember]] = [
        (start + k * SPACING, readers[k % READERS], hot) for k in range(HOT_TAPS)
    ]
    for index, member in enumerate(others):
        for k in range(OTHER_TAPS):
            at = start + k * SPACING + timedelta(seconds=1 + index % 4)
            taps.append((at, readers[(k + index) % READERS], member))
    per_reader: dict[str, list[bytes]] = defaultdict(list)
    for at, reader, member in sorted(taps, key=lambda t: t[0]):
        seq = len(per_reader[reader]) + 1
        per_reader[reader].append(
            scan_payload(reader, member.uid, seq=seq, at=at, boot_id="5ca1e0ff", replayed=True)
        )
    return per_reader


async def flush(device: Session, reader: str, payloads: list[bytes]) -> None:
    for payload in payloads:
        await device.publish(scan_topic(reader), payload)


async def scans_handled(port: int) -> float:
    async with httpx.AsyncClient(timeout=10) as client:
        body = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith("sentinel_scans_total{")
    )


async def test_workers_share_the_load_and_keep_each_member_in_order(
    broker: SecureBroker,
    workers: list[int],
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> None:
    async with sessionmaker.begin() as session:
        hot = await make_member(session, last_name="Hot")
        others = [await make_member(session, last_name=f"Other{i}") for i in range(OTHER_MEMBERS)]
    readers = [unique_name(request, f"r{i}") for i in range(READERS)]
    for reader in readers:
        broker.add(reader, Role.READER)
    await broker.reload()
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    per_reader = burst(readers, hot, others, start)
    total = sum(len(p) for p in per_reader.values())

    async with open_client(broker, "monitor") as monitor:
        await monitor.subscribe(f"{topics.PREFIX}/readers/+/feedback")
        devices = [open_client(broker, r, client_id=r) for r in readers]
        sessions = [await d.__aenter__() for d in devices]
        try:
            async with asyncio.TaskGroup() as group:
                for reader, device in zip(readers, sessions, strict=True):
                    group.create_task(flush(device, reader, per_reader[reader]))
            answers = await monitor.collect(
                f"{topics.PREFIX}/readers/+/feedback", total, timeout=60
            )
        finally:
            for device_cm in reversed(devices):
                await device_cm.__aexit__(None, None, None)

    results = Counter(json.loads(a.payload)["result"] for a in answers)
    assert set(results) <= {"checked_in", "checked_out"}, results
    assert len({json.loads(a.payload)["event_id"] for a in answers}) == total

    async with sessionmaker() as session:
        processed = await session.execute(
            text("SELECT event_id, count(*) AS n FROM processed_events GROUP BY event_id")
        )
        per_event = {row.event_id: row.n for row in processed}
        checkins = await session.execute(
            text("SELECT member_id, direction, event_id FROM checkins ORDER BY member_id, at")
        )
        history: dict[uuid.UUID, list[str]] = defaultdict(list)
        event_rows: Counter[str] = Counter()
        for row in checkins:
            history[row.member_id].append(row.direction)
            event_rows[row.event_id] += 1
    assert len(per_event) == total and set(per_event.values()) == {1}
    assert set(event_rows.values()) == {1} and len(event_rows) == total
    for member in [hot, *others]:
        expected = ["in", "out"] * (len(history[member.id]) // 2 + 1)
        assert history[member.id] == expected[: len(history[member.id])], member.display_name
    assert len(history[hot.id]) == HOT_TAPS

    handled = [await scans_handled(port) for port in workers]
    assert sum(handled) == total
    assert sum(1 for count in handled if count > 0) >= 2, handled
