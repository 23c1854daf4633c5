"""Chaos: the database away for 30 s, a reader back after an hour offline, a worker killed.

Each case runs real `python -m ingest` processes against a real broker and PostgreSQL, produces
its fault in the middle of the traffic and then checks what issue 9 asks of every fault: each
tap accounted for exactly once, directions alternating per member in event-time order, and the
retained presence topics equal to the database. SIGKILL of a lone ingest and a broker restart
are in `test_crash_recovery.py`.
"""

import asyncio
import contextlib
import json
import random
import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiomqtt
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from shared.db.engine import make_engine, make_sessionmaker
from shared.settings import BrokerAddress
from tests.e2e.conftest import (
    Tap,
    assert_exactly_once,
    make_burst,
    make_members,
    publish_all,
    service_process_env,
    wait_for_broker,
)
from tests.e2e.test_crash_recovery import count_decided, wait_until_decided
from tests.fixtures.factories import MadeMember
from tests.fixtures.mqtt import open_probe, unique_name
from tests.fixtures.processes import running_ingest, wait_for_entry
from tests.fixtures.scans import scan_payload, scan_topic
from tests.fixtures.services import BrokerServer, owned_postgres
from tools.localservices.postgres import Postgres
from tools.stack import ensure_database, migrate

pytestmark = pytest.mark.e2e

OUTAGE_S = 30.0  # how long the database stays down (issue 9)


# --- shared pieces -------------------------------------------------------------------------


async def publish_paced(url: str, taps: list[Tap], *, client_id: str, per_second: float) -> None:
    """Publish at QoS1 at a steady rate, as readers being tapped; resend after a broker error.

    The rate shapes the load so that a fault lands in the middle of the stream; nothing waits
    on it for synchronisation.
    """
    address = BrokerAddress(url)
    loop = asyncio.get_running_loop()
    start, index = loop.time(), 0
    while index < len(taps):
        try:
            async with aiomqtt.Client(
                address.host, address.port, identifier=client_id, clean_session=False, timeout=5
            ) as client:
                while index < len(taps):
                    due = start + index / per_second - loop.time()
                    if due > 0:
                        await asyncio.sleep(due)  # the readers' tap rate
                    async with asyncio.timeout(5):
                        await client.publish(taps[index].topic, taps[index].payload, qos=1)
                    index += 1
        except (aiomqtt.MqttError, TimeoutError):
            await wait_for_broker(address)


async def database_presence(
    sessionmaker: async_sessionmaker[AsyncSession], members: list[MadeMember]
) -> dict[str, str]:
    """Each member's state as the database has it ('out' for one who never tapped)."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT member_id, direction FROM member_states WHERE member_id = ANY(:ids)"),
            {"ids": [m.id for m in members]},
        )
        known = {str(row.member_id): str(row.direction) for row in rows}
    return {str(m.id): known.get(str(m.id)) or "out" for m in members}


async def retained_presence(url: str, members: list[MadeMember], client_id: str) -> dict[str, str]:
    """What a dashboard subscribing now is told about each member (retained messages)."""
    async with open_probe(url, client_id) as dashboard:
        await dashboard.subscribe(*(topics.presence_member(m.id) for m in members))
        messages = await dashboard.collect(
            f"{topics.PREFIX}/presence/members/+", len(members), timeout=15
        )
    return {m.topic.rsplit("/", 1)[1]: str(m.json()["state"]) for m in messages}


async def assert_presence_matches_database(
    url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    members: list[MadeMember],
    *,
    client_id: str,
    timeout: float = 30.0,
) -> None:
    """Wait until the retained presence topics equal the database; fail with the difference.

    The last batch's presence messages go out just after its commit, so the broker may lag the
    database by a moment: compare again until they agree or `timeout` passes.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        wanted = await database_presence(sessionmaker, members)
        retained = await retained_presence(url, members, client_id)
        if retained == wanted or loop.time() > deadline:
            break
        await asyncio.sleep(0.2)  # polling the broker, the only observer of retained state
    stale = {m: (retained.get(m), state) for m, state in wanted.items() if retained.get(m) != state}
    assert stale == {}, "retained presence (broker, database) differs"


def ingest_env(database_url: str, broker_url: str, client_id: str, **extra: str) -> dict[str, str]:
    """Environment for an ingest process (the daily jobs off, as every e2e process)."""
    return {
        **service_process_env(database_url),
        "SENTINEL_MQTT_URL": broker_url,
        "SENTINEL_INGEST_CLIENT_ID": client_id,
        **extra,
    }


# --- 1. PostgreSQL stopped for 30 s mid-burst ----------------------------------------------

PG_STREAMED = 1200  # taps the readers send from before the outage until well into it
PG_AFTER = 300  # taps sent once the database is back
PG_RATE = 60.0  # taps per second while streaming


@pytest.fixture
def own_database() -> Iterator[tuple[Postgres, str]]:
    """A migrated database on a PostgreSQL server this test owns and may stop."""
    with owned_postgres(durable=True) as server:
        url = server.url("sentinel")
        asyncio.run(ensure_database(url))
        migrate(url)
        yield server, url


def _entries(lines: list[str]) -> list[dict[str, object]]:
    """The JSON log entries among `lines`."""
    out = []
    for line in lines:
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict):
                out.append(entry)
    return out


def _is_database_outage(entry: dict[str, object]) -> bool:
    return entry.get("event") == "ingest_reconnecting" and str(entry.get("cause")).startswith(
        "database"
    )


@pytest.mark.timeout(240)
async def test_database_stopped_for_30_s_mid_burst_loses_and_doubles_nothing(
    broker_server: BrokerServer,
    own_database: tuple[Postgres, str],
    request: pytest.FixtureRequest,
) -> None:
    server, database_url = own_database
    engine = make_engine(database_url, application_name="sentinel-tests")
    sessionmaker = make_sessionmaker(engine)
    loop = asyncio.get_running_loop()
    try:
        members = await make_members(sessionmaker, 40)
        taps = make_burst(members, [f"pgdown-rdr-{i}" for i in range(4)], PG_STREAMED + PG_AFTER)
        env = ingest_env(database_url, broker_server.url, unique_name(request, "ingest"))
        async with running_ingest(env) as ingest:
            publisher = asyncio.create_task(
                publish_paced(
                    broker_server.url,
                    taps[:PG_STREAMED],
                    client_id=unique_name(request, "pub"),
                    per_second=PG_RATE,
                )
            )
            await wait_until_decided(sessionmaker, 150, timeout=60)
            mark = len(ingest.lines)
            # `immediate`: the server dies without a goodbye, as in a crash or a lost network.
            await asyncio.to_thread(server.stop, "immediate")
            stopped_at = loop.time()
            assert not publisher.done(), "the outage came too late to be mid-burst"

            await wait_for_entry(ingest, _is_database_outage, after=mark, timeout=OUTAGE_S)
            # The readers go on tapping; the broker takes their scans while the database is down.
            await asyncio.wait_for(publisher, timeout=OUTAGE_S)
            assert loop.time() - stopped_at < OUTAGE_S, "the stream outlasted the outage"
            # The fault itself: keep the database down until the outage has lasted 30 s.
            await asyncio.sleep(max(0.0, OUTAGE_S - (loop.time() - stopped_at)))
            assert ingest.process.returncode is None, "the ingest died with the database"
            during = _entries(ingest.lines[mark:])

            await asyncio.to_thread(server.start)
            await publish_all(
                broker_server.url, taps[PG_STREAMED:], client_id=unique_name(request, "pub2")
            )
            await wait_until_decided(sessionmaker, len(taps), timeout=60)
            await assert_exactly_once(sessionmaker, len(taps))
            await assert_presence_matches_database(
                broker_server.url, sessionmaker, members, client_id=unique_name(request, "dash")
            )
        # Every failure during the outage was recognised as the database being away, named by
        # its cause, and retried with a growing delay: not a crash of a pipeline task, and not
        # a reconnect every second (a flat sub-second retry makes ~30 or more in 30 s).
        assert [e for e in during if e.get("event") == "ingest_task_failed"] == []
        retries = [e for e in during if _is_database_outage(e)]
        assert 1 <= len(retries) <= 20, [e.get("delay_s") for e in retries]
        assert [e["cause"] for e in retries if "TaskGroup" in str(e["cause"])] == []
    finally:
        await engine.dispose()


# --- 2. A reader back after an hour offline ------------------------------------------------

AWAY_MEMBERS = 25
REPLAYED = 300  # distinct badge taps in the offline hour
DOUBLES = 12  # of which this many were tapped twice within 2 s (the duplicate window is 5 s)
RESENT = 20  # scans resent after the connection dropped before their PUBACKs came back
BOOT_ID = "a11ce0ff"


@dataclass(frozen=True)
class Scan:
    """One scan the reader sends, with what the test needs to check its outcome."""

    event_id: str
    member: MadeMember
    at: datetime
    payload: bytes
    double: bool = False  # a second tap within the duplicate window


def _scan(device: str, member: MadeMember, seq: int, at: datetime, **kw: bool) -> Scan:
    replayed = kw.pop("replayed", False)
    payload = scan_payload(device, member.uid, seq=seq, at=at, boot_id=BOOT_ID, replayed=replayed)
    return Scan(f"{device}:{BOOT_ID}:{seq}", member, at, payload, **kw)


def offline_hour(
    device: str, members: list[MadeMember], now: datetime
) -> tuple[list[Scan], list[Scan]]:
    """The live taps before the outage (one per member) and the outbox of the offline hour."""
    rng = random.Random(5)
    live = [
        _scan(device, m, i + 1, now - timedelta(minutes=75) + timedelta(seconds=10 * i))
        for i, m in enumerate(members)
    ]
    doubles = set(rng.sample(range(REPLAYED), DOUBLES))
    outbox, seq, start = [], len(live), now - timedelta(hours=1)
    for i in range(REPLAYED):
        member, at = rng.choice(members), start + timedelta(seconds=12 * i)
        seq += 1
        outbox.append(_scan(device, member, seq, at, replayed=True))
        if i in doubles:
            seq += 1
            outbox.append(
                _scan(device, member, seq, at + timedelta(seconds=2), replayed=True, double=True)
            )
    return live, outbox


def _taps(device: str, scans: list[Scan]) -> list[Tap]:
    return [Tap(device, scan_topic(device), s.payload) for s in scans]


async def test_reader_back_after_an_hour_offline_replays_its_taps_in_event_time_order(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
    request: pytest.FixtureRequest,
) -> None:
    members = await make_members(sessionmaker, AWAY_MEMBERS)
    device = unique_name(request, "away")
    now = datetime.now(UTC).replace(microsecond=0)
    live, outbox = offline_hour(device, members, now)
    feedback = topics.feedback(device)
    env = {**e2e_env, "SENTINEL_MQTT_URL": broker_server.url}
    async with (
        running_ingest(env),
        open_probe(broker_server.url, unique_name(request, "mon")) as monitor,
    ):
        await monitor.subscribe(feedback)
        await publish_all(broker_server.url, _taps(device, live), client_id=device)
        first = [m.json() for m in await monitor.collect(feedback, len(live), timeout=30)]
        # Back online: the outbox is flushed in order. The connection drops half way; once back,
        # the reader resends the last scans whose PUBACKs it never got, then the rest.
        half = len(outbox) // 2
        await publish_all(broker_server.url, _taps(device, outbox[:half]), client_id=device)
        answers = [m.json() for m in await monitor.collect(feedback, half, timeout=60)]
        rest = outbox[half - RESENT :]
        await publish_all(broker_server.url, _taps(device, rest), client_id=device)
        answers += [m.json() for m in await monitor.collect(feedback, len(rest), timeout=60)]
        await assert_presence_matches_database(
            broker_server.url, sessionmaker, members, client_id=unique_name(request, "dash")
        )

    assert {a["result"] for a in first} == {"checked_in"}
    async with sessionmaker() as session:
        rows = {
            r.event_id: r
            for r in await session.execute(
                text(
                    "SELECT event_id, member_id, direction, at, replayed FROM checkins"
                    " WHERE device_id = :d"
                ),
                {"d": device},
            )
        }
        decided = {
            r.event_id: r.result
            for r in await session.execute(
                text("SELECT event_id, result FROM processed_events WHERE device_id = :d"),
                {"d": device},
            )
        }
    # Every scan decided once; each distinct tap one check-in at its own device time.
    assert set(decided) == {s.event_id for s in live + outbox}
    await assert_exactly_once(sessionmaker, len(live) + len(outbox))
    taps = [s for s in live + outbox if not s.double]
    assert set(rows) == {s.event_id for s in taps}
    assert all(rows[s.event_id].at == s.at for s in taps), "not recorded at the device's time"
    assert all(rows[s.event_id].member_id == s.member.id for s in taps)
    assert {rows[s.event_id].replayed for s in outbox if not s.double} == {True}
    assert {rows[s.event_id].replayed for s in live} == {False}
    # Each member's first replayed tap toggles against the live check-in before the outage.
    firsts: dict[uuid.UUID, Scan] = {}
    for s in outbox:
        firsts.setdefault(s.member.id, s)
    assert {rows[s.event_id].direction for s in firsts.values()} == {"out"}
    # The second tap of a double tap is a duplicate: answered, not recorded.
    assert {decided[s.event_id] for s in outbox if s.double} == {"duplicate"}
    # The reader was answered for every scan it sent, resent ones again with the same answer.
    assert Counter(str(a["event_id"]) for a in answers) == Counter(
        s.event_id for s in outbox + outbox[half - RESENT : half]
    )
    expected = {
        s.event_id: "duplicate"
        if s.double
        else {"in": "checked_in", "out": "checked_out"}[rows[s.event_id].direction]
        for s in outbox
    }
    wrong = {
        str(a["event_id"]): a["result"]
        for a in answers
        if a["result"] != expected[str(a["event_id"])]
    }
    assert wrong == {}


# --- 3. Two workers on a shared subscription, one SIGKILLed mid-burst ----------------------

SHARED_BURST = 3000


async def test_one_of_two_shared_workers_killed_mid_burst_loses_and_doubles_nothing(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
    request: pytest.FixtureRequest,
) -> None:
    members = await make_members(sessionmaker, 60)
    taps = make_burst(members, [f"share-rdr-{i}" for i in range(6)], SHARED_BURST, seed=31)
    group = f"chaos{uuid.uuid4().hex[:8]}"
    base = {**e2e_env, "SENTINEL_MQTT_URL": broker_server.url, "SENTINEL_INGEST_SHARE_GROUP": group}
    doomed_env = {**base, "SENTINEL_INGEST_CLIENT_ID": unique_name(request, "w1")}
    survivor_env = {**base, "SENTINEL_INGEST_CLIENT_ID": unique_name(request, "w2")}
    async with running_ingest(survivor_env), running_ingest(doomed_env) as doomed:
        publisher = asyncio.create_task(
            publish_all(broker_server.url, taps, client_id=unique_name(request, "pub"))
        )
        await wait_until_decided(sessionmaker, 300, timeout=60)
        doomed.kill()
        await doomed.process.wait()
        at_kill = await count_decided(sessionmaker)
        assert at_kill < SHARED_BURST, "the kill came too late to prove anything"
        # The survivor goes on deciding: nothing the dead worker held (row locks of its open
        # transaction, its unacknowledged messages) blocks it.
        await wait_until_decided(sessionmaker, at_kill + 200, timeout=60)
        await publisher
        # Mosquitto keeps handing the dead member of the group its share and holds it in its
        # persistent session (deploy/README.md §8.1), so the survivor alone cannot finish the
        # burst: the process supervisor restarts the killed worker under its own client id, and
        # its session hands back what it had received unacknowledged and what queued since.
        async with running_ingest(doomed_env):
            await wait_until_decided(sessionmaker, SHARED_BURST, timeout=120)
            await assert_presence_matches_database(
                broker_server.url, sessionmaker, members, client_id=unique_name(request, "dash")
            )
    # The two workers decide the burst out of event-time order; late taps realign the rest.
    await assert_exactly_once(sessionmaker, SHARED_BURST)


async def test_a_stop_mid_burst_leaves_retained_presence_equal_to_the_database(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
    request: pytest.FixtureRequest,
) -> None:
    # SIGTERM lands between some batch's commit and its publish: the stop lets the batches in
    # hand be published (and the summary flushed) before the process ends, so nobody is left
    # with a retained state older than the database until the next start's resync.
    members = await make_members(sessionmaker, 60)
    taps = make_burst(members, [f"stop-rdr-{i}" for i in range(6)], 3000, seed=47)
    env = {
        **e2e_env,
        "SENTINEL_MQTT_URL": broker_server.url,
        "SENTINEL_INGEST_CLIENT_ID": unique_name(request, "ingest"),
    }
    async with running_ingest(env) as ingest:
        publisher = asyncio.create_task(
            publish_all(broker_server.url, taps, client_id=unique_name(request, "pub"))
        )
        await wait_until_decided(sessionmaker, 400, timeout=60)
        ingest.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(ingest.process.wait(), timeout=30)
        await publisher
    decided = await count_decided(sessionmaker)
    assert code == 0
    assert decided < len(taps), "the stop came too late to prove anything"
    await assert_presence_matches_database(
        broker_server.url, sessionmaker, members, client_id=unique_name(request, "dash"), timeout=5
    )
