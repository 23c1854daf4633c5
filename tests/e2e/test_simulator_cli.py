"""`python -m tools.simulator`: readers come online, tap the seeded badges, and go offline."""

import asyncio
import json
import sys

import pytest

from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from tests.fixtures.mqtt import MqttProbe
from tests.fixtures.processes import ROOT
from tests.fixtures.services import BrokerServer

pytestmark = pytest.mark.e2e


async def test_simulator_taps_seeded_badges_then_goes_offline(
    broker_server: BrokerServer, probe: MqttProbe
) -> None:
    await probe.subscribe(
        topics.reader_subscription(ReaderTopic.SCAN), topics.reader_subscription(ReaderTopic.STATUS)
    )
    seed = json.dumps([{"badge_uid": "AABBCCDD"}, "11223344"]).encode()  # seed JSON or bare UIDs

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tools.simulator",
        "--mqtt-url",
        broker_server.url,
        "--readers",
        "2",
        "--interval",
        "0.05",
        "--duration",
        "1",
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(seed), timeout=60)

    assert process.returncode == 0, stderr.decode()[-2000:]
    # Each reader's last message is its offline status, after all its scans (one client,
    # QoS 1: the broker keeps their order). Retained states from earlier runs are skipped.
    scans: list[dict[str, str]] = []
    states: dict[str, list[str]] = {"sim-reader-1": [], "sim-reader-2": []}
    while any("offline" not in seen for seen in states.values()):
        message = await probe.next("sentinel/v1/readers/+/+", timeout=10)
        if message.retain:
            continue
        if message.topic.endswith("/scan"):
            scans.append(message.json())
        elif message.topic.endswith("/status"):
            device = message.topic.split("/")[3]
            states[device].append(message.json()["state"])
            if message.json()["state"] == "offline":
                assert message.json()["reason"] == "shutdown"

    assert states == {"sim-reader-1": ["online", "offline"], "sim-reader-2": ["online", "offline"]}
    assert scans, "the simulator tapped nothing"
    assert {s["uid"] for s in scans} <= {"AABBCCDD", "11223344"}
    assert {s["event_id"].split(":")[0] for s in scans} <= set(states)
