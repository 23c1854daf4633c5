"""Simulated readers in CPython that speak the MQTT contract like the firmware does.

Used by the demo and the benchmarks; `python -m tools.simulator --help` runs them standalone.
"""

import argparse
import asyncio
import contextlib
import json
import random
import secrets
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import aiomqtt

from shared.aio import wait_event
from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from shared.settings import BrokerAddress

NODELAY = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)


class Reader(Protocol):
    """What `tap_randomly` needs of a reader (SimulatedReader, tools.firmware_reader.FirmwareReader)."""

    @property
    def device_id(self) -> str:
        """The reader's device id."""

    async def tap(self, uid: str) -> str:
        """Tap badge `uid`; return the scan's event id ("" when unknown)."""


@dataclass
class SimulatedReader:
    """One reader: birth/LWT status, heartbeats, scans, and the feedback it gets back."""

    device_id: str
    url: str
    boot_id: str = field(default_factory=lambda: secrets.token_hex(4))
    seq: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    client: aiomqtt.Client | None = None

    def scan_payload(self, uid: str) -> tuple[str, bytes]:
        """Return (event_id, payload) for a tap of `uid` now."""
        self.seq += 1
        event_id = f"{self.device_id}:{self.boot_id}:{self.seq}"
        body = {
            "v": 1,
            "event_id": event_id,
            "boot_id": self.boot_id,
            "seq": self.seq,
            "uid": uid,
            "uid_len": len(uid) // 2,
            "ts": int(time.time() * 1000),
            "ts_src": "ntp",
            "mono_ms": int(time.monotonic() * 1000),
            "replayed": False,
        }
        return event_id, json.dumps(body, separators=(",", ":")).encode()

    async def tap(self, uid: str) -> str:
        """Publish a scan of `uid` (QoS1); return its event id."""
        if self.client is None:
            raise RuntimeError("reader not connected")
        event_id, payload = self.scan_payload(uid)
        await self.client.publish(topics.reader(self.device_id, ReaderTopic.SCAN), payload, qos=1)
        return event_id

    async def heartbeat(self) -> None:
        """Publish a heartbeat (QoS0)."""
        if self.client is None:
            return
        body = {
            "v": 1,
            "ts": int(time.time() * 1000),
            "uptime_s": int(time.monotonic()),
            "rssi": -55,
            "heap_free": 90000,
            "outbox": {"depth": 0, "dropped": 0},
            "reader": {"ok": True, "resets": 0, "version": "0x92"},
            "time_synced": True,
            "mqtt_reconnects": 0,
            "fw": "sim-1.0.0",
        }
        await self.client.publish(
            topics.reader(self.device_id, ReaderTopic.HEARTBEAT), json.dumps(body), qos=0
        )

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Stay connected, record feedback, send heartbeats, until `stop` is set."""
        address = BrokerAddress(self.url)
        status = topics.reader(self.device_id, ReaderTopic.STATUS)
        will = aiomqtt.Will(status, json.dumps({"v": 1, "state": "offline"}), qos=1, retain=True)
        async with aiomqtt.Client(
            address.host,
            address.port,
            username=address.username,
            password=address.password,
            identifier=self.device_id,
            will=will,
            socket_options=NODELAY,
            clean_session=False,
        ) as client:
            self.client = client
            client.pending_calls_threshold = 100_000
            await client.subscribe(topics.feedback(self.device_id), qos=1)
            birth = {
                "v": 1,
                "state": "online",
                "fw": "sim-1.0.0",
                "boot_id": self.boot_id,
                "ip": "127.0.0.1",
                "ts": int(time.time() * 1000),
            }
            await client.publish(status, json.dumps(birth), qos=1, retain=True)
            if ready is not None:
                ready.set()
            listener = asyncio.create_task(self._listen(client))
            try:
                while not stop.is_set():
                    await self.heartbeat()
                    await wait_event(stop, 30)
            finally:
                listener.cancel()
                gone = {"v": 1, "state": "offline", "reason": "shutdown"}
                # The broker may be gone already (Ctrl-C in a terminal reaches it too): the will
                # marks the reader offline then.
                with contextlib.suppress(aiomqtt.MqttError):
                    await client.publish(status, json.dumps(gone), qos=1, retain=True, timeout=2)
                self.client = None

    async def _listen(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            if isinstance(message.payload, bytes):
                answer = json.loads(message.payload)
                self.answers[str(answer.get("event_id"))] = str(answer.get("result"))


async def tap_randomly(
    readers: Sequence[Reader],
    uids: Sequence[str],
    *,
    stop: asyncio.Event,
    mean_interval_s: float,
    rng: random.Random,
    on_tap: "asyncio.Queue[tuple[str, str, str]] | None" = None,
) -> None:
    """Tap random badges on random readers at random intervals until `stop` is set."""
    while not stop.is_set():
        if await wait_event(stop, rng.expovariate(1 / mean_interval_s)):
            return
        reader = rng.choice(readers)
        uid = rng.choice(uids)
        event_id = await reader.tap(uid)
        if on_tap is not None:
            await on_tap.put((reader.device_id, uid, event_id))


async def _main(args: argparse.Namespace) -> None:
    uids = json.loads(sys.stdin.read()) if args.uids == "-" else args.uids.split(",")
    uids = [u["badge_uid"] if isinstance(u, dict) else u for u in uids]
    stop = asyncio.Event()
    readers = [SimulatedReader(f"sim-reader-{i + 1}", args.mqtt_url) for i in range(args.readers)]
    async with asyncio.TaskGroup() as group:
        for reader in readers:
            group.create_task(reader.run(stop))
        await asyncio.sleep(0.5)  # let the readers connect before tapping (standalone tool)
        group.create_task(
            tap_randomly(
                readers, uids, stop=stop, mean_interval_s=args.interval, rng=random.Random()
            )
        )
        await asyncio.sleep(args.duration)
        stop.set()


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m tools.simulator", description=__doc__)
    parser.add_argument("--mqtt-url", default="mqtt://127.0.0.1:1883")
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--uids", default="-", help="comma-separated UIDs, or - for seed JSON")
    parser.add_argument("--interval", type=float, default=2.0, help="mean seconds between taps")
    parser.add_argument("--duration", type=float, default=60.0)
    asyncio.run(_main(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
