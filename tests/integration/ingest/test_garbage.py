"""10,000 random and malformed payloads become dead letters; the consumer keeps working."""

import asyncio
import json
import random

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from tests.fixtures.factories import make_member
from tests.fixtures.ingest import RunningIngest
from tests.fixtures.mqtt import MqttProbe
from tests.fixtures.scans import scan_payload, scan_topic

COUNT = 10_000


def garbage(rng: random.Random, device: str, i: int) -> bytes:
    kind = i % 6
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 200))
    if kind == 1:
        return b"{" * rng.randrange(1, 50)
    if kind == 2:
        return json.dumps({"v": 1, "event_id": f"{device}:ab:{i}", "seq": "x"}).encode()
    if kind == 3:
        return scan_payload("spoofed-reader", "01020304", seq=i)
    if kind == 4:
        return json.dumps({"v": 9}).encode()
    return b"[" * 5000 + b"]" * 5000


async def test_flood_of_garbage_is_dead_lettered_without_stopping_the_consumer(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    async with sessionmaker.begin() as s:
        member = await make_member(s)
    rng = random.Random(1234)
    topic = scan_topic(device)
    payloads = [garbage(rng, device, i) for i in range(COUNT)]
    for start in range(0, COUNT, 250):  # 250 in flight at a time: their PUBACKs overlap
        await asyncio.gather(
            *(probe.client.publish(topic, p, qos=1) for p in payloads[start : start + 250])
        )
    await probe.subscribe(topics.feedback(device))
    await probe.publish(topic, scan_payload(device, member.uid, seq=1))
    await probe.until(
        topics.feedback(device), lambda m: m.json()["result"] == "checked_in", timeout=60
    )
    async with sessionmaker() as s:
        letters = (
            await s.execute(text("SELECT reason, count(*) AS n FROM dead_letters GROUP BY reason"))
        ).all()
        checkins = await s.scalar(text("SELECT count(*) FROM checkins"))
    assert sum(r.n for r in letters) == COUNT
    assert {r.reason for r in letters} <= {
        "invalid_json",
        "invalid_payload",
        "oversized",
        "unsupported_version",
        "device_mismatch",
    }
    assert checkins == 1
