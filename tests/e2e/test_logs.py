"""A scan can be followed through the ingest's JSON logs by its event id."""

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from tests.fixtures.factories import make_member
from tests.fixtures.mqtt import MqttProbe
from tests.fixtures.processes import metrics_once, running_ingest
from tests.fixtures.scans import scan_payload, scan_topic
from tests.fixtures.services import BrokerServer
from tools.localservices.ports import free_port


async def test_event_id_is_the_correlation_id_of_the_scans_log_lines(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
    probe: MqttProbe,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    device = f"log-rdr-{uuid.uuid4().hex[:6]}"
    env = {**e2e_env, "SENTINEL_MQTT_URL": broker_server.url, "SENTINEL_LOG_LEVEL": "DEBUG"}
    await probe.subscribe(topics.feedback(device))
    async with running_ingest(env) as ingest:
        await probe.publish(scan_topic(device), scan_payload(device, member.uid, seq=5))
        assert (await probe.next(topics.feedback(device), timeout=20)).json()["result"] == (
            "checked_in"
        )
        await ingest.wait_for_log("feedback_published")
    event_id = f"{device}:0badc0de:5"
    lines = [json.loads(line) for line in ingest.lines if line.startswith("{")]
    mine = [line for line in lines if line.get("correlation_id") == event_id]
    assert {line["event"] for line in mine} >= {"scan_decided", "feedback_published"}
    assert all(line["service"] == "ingest" and "ts" in line and "level" in line for line in mine)
    started = [line for line in lines if line.get("event") == "ingest_starting"]
    assert [line["event_loop"] for line in started] == ["uvloop"]  # the default loop
    assert started[0]["gc_frozen"] > 1000  # the start-up heap, kept out of full collections


async def test_ingest_exposes_prometheus_metrics(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
    probe: MqttProbe,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    device = f"met-rdr-{uuid.uuid4().hex[:6]}"
    port = free_port()
    env = {
        **e2e_env,
        "SENTINEL_MQTT_URL": broker_server.url,
        "SENTINEL_INGEST_METRICS_PORT": str(port),
    }
    await probe.subscribe(topics.feedback(device))
    async with running_ingest(env):
        await probe.publish(
            scan_topic(device), scan_payload(device, member.uid, seq=1, at=datetime.now(UTC))
        )
        await probe.publish(scan_topic(device), b"garbage")
        await probe.collect(topics.feedback(device), 2, timeout=20)
        # Counted once the batch is acknowledged, a moment after the answers went out.
        text = await metrics_once(port, 'sentinel_scans_total{result="checked_in"} 1.0')
    assert 'sentinel_scans_total{result="checked_in"} 1.0' in text
    assert 'sentinel_dead_letters_total{reason="invalid_json"} 1.0' in text
    assert "sentinel_tap_to_feedback_seconds_count 1.0" in text
    assert "sentinel_ingest_batch_size_count" in text
