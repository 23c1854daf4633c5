"""The simulated readers' pure parts: scan payloads, an unconnected reader, random tapping."""

import asyncio
import json
import random
from dataclasses import dataclass, field

import pytest

from tools.simulator import SimulatedReader, tap_randomly


@dataclass
class CountingReader:
    """A reader that remembers its taps (what `tap_randomly` needs of a reader)."""

    device_id: str
    taps: list[str] = field(default_factory=list)

    async def tap(self, uid: str) -> str:
        self.taps.append(uid)
        return f"{self.device_id}:{len(self.taps)}"


def test_scan_payload_follows_the_contract_and_counts_up() -> None:
    reader = SimulatedReader("sim-reader-9", "mqtt://127.0.0.1:1883", boot_id="b00710ad")

    first_id, first = reader.scan_payload("04A1B2C3D4E5F6")
    second_id, _ = reader.scan_payload("AABBCCDD")

    body = json.loads(first)
    assert first_id == "sim-reader-9:b00710ad:1" and second_id == "sim-reader-9:b00710ad:2"
    assert body["event_id"] == first_id and body["seq"] == 1 and body["boot_id"] == "b00710ad"
    assert (body["uid"], body["uid_len"]) == ("04A1B2C3D4E5F6", 7)
    assert body["v"] == 1 and body["ts_src"] == "ntp" and body["replayed"] is False


async def test_an_unconnected_reader_cannot_tap_and_skips_heartbeats() -> None:
    reader = SimulatedReader("sim-reader-9", "mqtt://127.0.0.1:1883")

    with pytest.raises(RuntimeError, match="not connected"):
        await reader.tap("AABBCCDD")
    await reader.heartbeat()  # nothing to publish on: no error

    assert reader.seq == 0  # a refused tap uses no sequence number


async def test_tap_randomly_reports_each_tap_until_stopped() -> None:
    readers = [CountingReader("rdr-a"), CountingReader("rdr-b")]
    uids = ["AABBCCDD", "11223344", "0A0B0C0D"]
    stop = asyncio.Event()
    taps: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
    tapping = asyncio.create_task(
        tap_randomly(
            readers, uids, stop=stop, mean_interval_s=0.001, rng=random.Random(4), on_tap=taps
        )
    )

    seen = [await asyncio.wait_for(taps.get(), timeout=5) for _ in range(30)]
    stop.set()
    await asyncio.wait_for(tapping, timeout=5)

    assert {device for device, _, _ in seen} == {"rdr-a", "rdr-b"}
    assert {uid for _, uid, _ in seen} <= set(uids)
    for reader in readers:
        mine = [(uid, event) for device, uid, event in seen if device == reader.device_id]
        assert [uid for uid, _ in mine] == reader.taps[: len(mine)]
        assert [event for _, event in mine] == [
            f"{reader.device_id}:{n}" for n in range(1, len(mine) + 1)
        ]


async def test_tap_randomly_does_nothing_once_stopped() -> None:
    reader = CountingReader("rdr-a")
    stop = asyncio.Event()
    stop.set()

    await asyncio.wait_for(
        tap_randomly(
            [reader], ["AABBCCDD"], stop=stop, mean_interval_s=0.001, rng=random.Random(1)
        ),
        timeout=5,
    )

    assert reader.taps == []
