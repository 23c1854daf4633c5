"""Nothing acknowledged is lost and nothing is doubled when the ingest or the broker dies."""

import asyncio
import json
import os
import sys
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from tests.e2e.conftest import assert_exactly_once, make_burst, make_members, publish_all
from tests.fixtures.database import plain_dsn
from tests.fixtures.mqtt import open_probe
from tests.fixtures.processes import metrics_once, running_ingest
from tests.fixtures.scans import scan_payload, scan_topic
from tests.fixtures.services import BrokerServer
from tools.localservices.mosquitto import Mosquitto
from tools.localservices.ports import free_port

BURST = 2000


async def count_decided(sm: async_sessionmaker[AsyncSession]) -> int:
    async with sm() as s:
        return int(await s.scalar(text("SELECT count(*) FROM processed_events")) or 0)


async def wait_until_decided(
    sm: async_sessionmaker[AsyncSession], n: int, *, timeout: float
) -> None:
    """Wait (polling the database, the only observer of commits) until n events are decided."""
    async with asyncio.timeout(timeout):
        while await count_decided(sm) < n:
            await asyncio.sleep(0.05)


async def test_sigkill_mid_burst_loses_and_doubles_nothing(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
) -> None:
    members = await make_members(sessionmaker, 60)
    taps = make_burst(members, [f"kill-rdr-{i}" for i in range(6)], BURST)
    env = {**e2e_env, "SENTINEL_MQTT_URL": broker_server.url}
    async with running_ingest(env) as first:
        publisher = asyncio.create_task(publish_all(broker_server.url, taps, client_id="kill-pub"))
        await wait_until_decided(sessionmaker, 300, timeout=60)
        first.kill()
        await first.process.wait()
    partial = await count_decided(sessionmaker)
    assert partial < BURST, "the kill came too late to prove anything"
    await publisher
    async with running_ingest(env):
        await wait_until_decided(sessionmaker, BURST, timeout=120)
    await assert_exactly_once(sessionmaker, BURST)


@pytest.mark.parametrize("flushed", [False, True], ids=["kill-before-flush", "kill-after-flush"])
async def test_a_scan_is_acknowledged_only_once_its_fast_commit_was_flushed(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
    database_url: str,
    flushed: bool,
) -> None:
    """Fast commits (`ingest/durability.py`): answered at once, acknowledged only once durable.

    The test holds the `wal_flushes` row, so the ingest's flushing commit cannot finish: the
    reader is answered (its check-in is committed, visible), but the broker must still hold
    the scan. Killed then, the next ingest receives it again and answers it from the stored
    decision. Killed once the row was released and the batch counted (counted after its
    acknowledgement), the next ingest answers two new taps one after the other and nothing
    else: the broker had forgotten the first (delivered again, it would reach the ingest before
    the third tap is even sent, and be answered before it).
    """
    (member,) = await make_members(sessionmaker, 1)
    device = "flush-rdr"
    port = free_port()
    env = {
        **e2e_env,
        "SENTINEL_MQTT_URL": broker_server.url,
        "SENTINEL_INGEST_METRICS_PORT": str(port),
    }
    holder = await asyncpg.connect(plain_dsn(database_url))
    try:
        async with open_probe(broker_server.url, "flush-probe") as probe:
            await probe.subscribe(topics.feedback(device))
            async with running_ingest(env) as first:
                await first.wait_for_log("ingest_ready")
                await holder.execute("BEGIN")
                await holder.execute("SELECT 1 FROM wal_flushes WHERE id FOR UPDATE")
                await probe.publish(scan_topic(device), scan_payload(device, member.uid, seq=1))
                answer = json.loads((await probe.next(topics.feedback(device), timeout=20)).payload)
                assert answer["result"] == "checked_in"
                if flushed:
                    await holder.execute("ROLLBACK")
                    await metrics_once(port, 'sentinel_scans_total{result="checked_in"} 1.0')
                first.kill()
                await first.process.wait()
            if not flushed:
                await holder.execute("ROLLBACK")
            async with running_ingest(env):
                answers = []
                for seq in (2, 3) if flushed else (None,):
                    if seq is not None:
                        tap = scan_payload(device, member.uid, seq=seq)
                        await probe.publish(scan_topic(device), tap)
                    feedback = await probe.next(topics.feedback(device), timeout=30)
                    answers.append(json.loads(feedback.payload))
    finally:
        await holder.close()
    if flushed:
        assert [a["event_id"].rsplit(":", 1)[1] for a in answers] == ["2", "3"]
    else:
        assert answers == [answer]  # the stored decision, not a second check-in
    await assert_exactly_once(sessionmaker, 3 if flushed else 1)


async def test_broker_restart_mid_stream_loses_and_doubles_nothing(
    tmp_path: Path,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
) -> None:
    broker = Mosquitto(tmp_path / "broker")
    broker.start()
    try:
        members = await make_members(sessionmaker, 40)
        taps = make_burst(members, [f"bounce-rdr-{i}" for i in range(4)], BURST, seed=11)
        env = {**e2e_env, "SENTINEL_MQTT_URL": broker.url}
        async with running_ingest(env) as ingest:
            publisher = asyncio.create_task(publish_all(broker.url, taps, client_id="bounce-pub"))
            await wait_until_decided(sessionmaker, 400, timeout=60)
            mark = len(ingest.lines)
            await asyncio.to_thread(broker.restart)
            await ingest.wait_for_log("ingest_reconnecting", after=mark, timeout=30)
            await ingest.wait_for_log("ingest_connected", after=mark, timeout=60)
            await publisher
            await wait_until_decided(sessionmaker, BURST, timeout=120)
        await assert_exactly_once(sessionmaker, BURST)
    finally:
        broker.stop()


async def test_ingest_exits_with_one_clear_line_when_database_is_unreachable(
    broker_server: BrokerServer,
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ingest",
        cwd=Path(__file__).resolve().parents[2],
        env={
            "SENTINEL_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/none",
            "SENTINEL_MQTT_URL": broker_server.url,
        },
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 1
    lines = err.decode().strip().splitlines()
    assert lines[-1].startswith("ingest: cannot reach the database at 127.0.0.1:1/none")


async def test_ingest_exits_with_one_clear_line_when_broker_is_unreachable(
    database_url: str,
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ingest",
        cwd=Path(__file__).resolve().parents[2],
        env={
            **os.environ,
            "SENTINEL_DATABASE_URL": database_url,
            "SENTINEL_MQTT_URL": "mqtt://127.0.0.1:1",
        },
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 1
    last = err.decode().strip().splitlines()[-1]
    assert last.startswith("ingest: cannot reach the MQTT broker"), last
