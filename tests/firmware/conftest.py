"""Fixtures for firmware tests: a real Mosquitto, the firmware built to .mpy, and devices under the unix port."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tools.firmware_reader import (
    DEFAULT_HEAPSIZE,
    FIRMWARE,
    MICROPYTHON,
    MPY_CROSS,
    FirmwareProcess,
    build_firmware,
)
from tools.localservices.mosquitto import Mosquitto

__all__ = ["FIRMWARE", "HEAPSIZE", "MICROPYTHON", "MPY_CROSS", "Device", "Probe"]

HEAPSIZE = DEFAULT_HEAPSIZE

# Short periods so the suite stays fast (firmware-notes §3, test harness).
TEST_CONFIG: dict[str, Any] = {
    "schema": 1,
    "wifi_ssid": "test-ssid",
    "wifi_password": "wifi-secret-pw",
    "mqtt_host": "127.0.0.1",
    "mqtt_keepalive_s": 5,
    "mqtt_retry_ms": 1000,
    "backoff_min_ms": 50,
    "backoff_max_ms": 300,
    "heartbeat_s": 1,
    "poll_ms": 20,
    "cooldown_ms": 300,
    "health_ms": 200,
    "outbox_capacity": 64,
    "outbox_flush_ms": 500,
    "send_window": 8,
    "wdt_ms": 30000,
}


@pytest.fixture(scope="session")
def mpy_build() -> Path:
    """The app compiled to .mpy as flashed (`lib/`) and the simulator (`sim/`), cached by hash."""
    return build_firmware()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A fresh Mosquitto on a free loopback port, persistent so sessions survive a restart."""
    m = Mosquitto(data_dir=tmp_path / "mosquitto")
    m.start()
    yield m
    m.stop()


# One firmware process under the unix port (tools/firmware_reader.py, shared with the demo).
Device = FirmwareProcess


@pytest.fixture
def make_device(tmp_path: Path, mpy_build: Path, broker: Mosquitto) -> Iterator[Any]:
    """Factory for devices wired to the test broker; every device is killed at teardown."""
    made: list[Device] = []

    def factory(name: str = "dev", heapsize: str = HEAPSIZE, **overrides: Any) -> Device:
        overrides.setdefault("mqtt_port", broker.port)
        overrides.setdefault("device_id", "rdr-" + name)
        d = Device(tmp_path / name, mpy_build, heapsize, base_config=TEST_CONFIG)
        d.write_config(**overrides)
        made.append(d)
        return d

    yield factory
    for d in made:
        d.kill()
        print(f"--- device {d.root.name} output (tail) ---")
        print("\n".join(d.output().splitlines()[-80:]))


class Probe:
    """A paho client playing the backend: records every message per topic, waits with timeouts."""

    def __init__(self, port: int, client_id: str) -> None:
        self.q: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False
        )
        self.client.on_message = self._on_message
        self._subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.on_connect = self._on_connect
        self.client.connect("127.0.0.1", port, keepalive=5)
        self.client.loop_start()
        if not self._subscribed.wait(5):
            raise TimeoutError("probe did not subscribe")

    def _on_connect(self, client: mqtt.Client, *args: Any) -> None:
        client.subscribe("sentinel/v1/readers/#", qos=1)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self.q.put((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def next(self, suffix: str, timeout: float = 5.0) -> tuple[str, bytes, bool]:
        """Return the next message whose topic ends with `suffix` (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no message on *{suffix} within {timeout}s")
            try:
                topic, payload, retain = self.q.get(timeout=left)
            except queue.Empty:
                continue
            if topic.endswith(suffix):
                return topic, payload, retain

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> None:
        self.client.publish(topic, payload, qos=qos).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture
def probe(broker: Mosquitto, request: pytest.FixtureRequest) -> Iterator[Probe]:
    p = Probe(broker.port, "probe-" + request.node.name[:40])
    yield p
    p.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this directory `firmware` (select with `-m firmware`)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.firmware)
