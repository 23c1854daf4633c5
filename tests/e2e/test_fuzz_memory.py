"""Fuzzing the ingest's front door: hostile payloads and topics, then no memory growth.

Rounds of generated garbage (random bytes, invalid UTF-8, JSON nested hundreds deep, wrong
types, oversize bodies, spoofed device ids in the payload, unknown versions) go to a real
`python -m ingest`. Each round ends with a valid tap that must be answered, so the consumer is
proven alive and everything before it processed. The process's resident memory after the
first round (the warm-up: caches, pools, allocator arenas) must not keep growing over the
next rounds: a leak of even a few hundred bytes per message would show.
"""

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from tests.fixtures.factories import make_member
from tests.fixtures.mqtt import MqttProbe, Received
from tests.fixtures.processes import running_ingest
from tests.fixtures.scans import scan_payload, scan_topic
from tests.fixtures.services import BrokerServer

pytestmark = pytest.mark.e2e

ROUND = 3000
ROUNDS = 4
GROWTH_LIMIT_BYTES = 4 * 1024 * 1024  # 4 MB over 9,000 messages: < 470 bytes each


def hostile(rng: random.Random, device: str, i: int) -> bytes:
    """One generated hostile payload for `device`'s scan topic."""
    kind = i % 8
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 400))
    if kind == 1:  # invalid UTF-8 inside something JSON-like
        return b'{"v":1,"event_id":"' + bytes([0xC3, 0x28, 0xFF]) + b'"}'
    if kind == 2:  # deep nesting
        depth = rng.randrange(100, 1500)
        return b'{"a":' * depth + b"1" + b"}" * depth
    if kind == 3:  # wrong types for every field
        return json.dumps(
            {"v": "1", "event_id": 7, "uid": ["x"], "uid_len": "four", "seq": None}
        ).encode()
    if kind == 4:  # a well-formed scan claiming another reader's id
        return scan_payload(f"spoof-{rng.randrange(10**6)}", "01020304", seq=i)
    if kind == 5:  # oversize
        return b'{"v":1,"pad":"' + b"x" * rng.randrange(5000, 40000) + b'"}'
    if kind == 6:
        return json.dumps({"v": rng.randrange(2, 99), "event_id": f"{device}:ab:{i}"}).encode()
    return json.dumps(
        {"v": 1, "event_id": f"{device}:zz:{i}", "uid": "GG", "uid_len": 1, "seq": -i}
    ).encode()


def answers(event_id: str) -> Callable[[Received], bool]:
    """Match the feedback for `event_id`."""
    return lambda message: message.json().get("event_id") == event_id


def resident_bytes(pid: int) -> int:
    """The process's resident set size."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def test_hostile_floods_are_dead_lettered_without_memory_growth(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    e2e_env: dict[str, str],
    probe: MqttProbe,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    device = f"fuzz-rdr-{uuid.uuid4().hex[:6]}"
    rng = random.Random(20261126)
    await probe.subscribe(topics.feedback(device))
    env = {
        **e2e_env,
        "SENTINEL_MQTT_URL": broker_server.url,
        # Batches held at 500, the size this bound was set and proven with: a larger batch of
        # dead letters (up to 4 kB each) raises the allocator's high-water mark whenever timing
        # first makes one, which is not what this test looks for (memory kept per message).
        "SENTINEL_INGEST_BATCH_MAX": "500",
    }
    sizes: list[int] = []
    start = datetime.now(UTC) - timedelta(hours=2 * ROUNDS)
    async with running_ingest(env) as ingest:
        for r in range(ROUNDS):
            for i in range(ROUND):
                await probe.client.publish(scan_topic(device), hostile(rng, device, i), qos=1)
            # Taps 2 h apart in event time: never inside the duplicate window.
            seq = 10 + r
            await probe.publish(
                scan_topic(device),
                scan_payload(device, member.uid, seq=seq, at=start + timedelta(hours=2 * r)),
            )
            answer = await probe.until(
                topics.feedback(device), answers(f"{device}:0badc0de:{seq}"), timeout=120
            )
            assert answer.json()["result"] in {"checked_in", "checked_out"}
            sizes.append(resident_bytes(ingest.process.pid))
        alive = ingest.process.returncode is None
    async with sessionmaker() as s:
        letters = await s.scalar(text("SELECT count(*) FROM dead_letters"))
    assert alive
    assert letters == ROUNDS * ROUND
    growth = sizes[-1] - sizes[0]
    assert growth < GROWTH_LIMIT_BYTES, f"resident memory per round: {sizes}"
