"""Measures the reader firmware on the unix port: tap-to-publish latency, RAM, .mpy size, replay rate.

Run: `uv run python -m tools.bench.firmware_bench [--heapsize 100k] [--taps 30] [--replay 200]`.

The firmware runs exactly as in the tests (tools/firmware_reader.py): the app's .mpy files as
flashed, the simulator first on MICROPYPATH, `-X heapsize` as given (default: the tests' 100k).
"""

import argparse
import queue
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tools.bench.common import percentile
from tools.firmware_reader import DEFAULT_HEAPSIZE, FirmwareProcess, app_mpy_size, build_firmware
from tools.localservices.mosquitto import Mosquitto


def subscriber(port: int) -> tuple[mqtt.Client, queue.Queue[tuple[float, bytes]]]:
    """Return a persistent QoS1 subscriber to all scans and its receive queue."""
    q: queue.Queue[tuple[float, bytes]] = queue.Queue()
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench", clean_session=False)
    c.on_message = lambda cl, u, m: q.put((time.monotonic(), bytes(m.payload)))
    c.on_connect = lambda cl, *a: cl.subscribe("sentinel/v1/readers/+/scan", qos=1)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c, q


def heap_report(dev: FirmwareProcess) -> dict[str, Any]:
    """Ask the simulator for the heap after a collection; add the qstr pool line it prints."""
    dev.send("mem")
    report = dev.sim("mem_free")
    pool = dev.expect(r"^qstr pool: n_pool=(\d+), n_qstr=(\d+)")
    report["n_pool"], report["n_qstr"] = int(pool.group(1)), int(pool.group(2))
    return report


def main(argv: list[str] | None = None) -> None:
    """Run the measurements and print them."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--heapsize", default=DEFAULT_HEAPSIZE)
    ap.add_argument("--taps", type=int, default=30)
    ap.add_argument("--replay", type=int, default=200)
    ap.add_argument("--poll-ms", type=int, default=100)
    args = ap.parse_args(argv)
    build = build_firmware()
    print(f"app .mpy size (as flashed to /lib): {app_mpy_size(build)} bytes")
    tmp = Path(tempfile.mkdtemp(prefix="fwbench-"))
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
    dev = FirmwareProcess(tmp / "dev", build, args.heapsize, base_config=cfg)
    dev.write_config()
    dev.start()
    try:
        mem = dev.expect(r"app memory heap_free=(\d+) used_by_app=(\d+)", 10)
        running = dev.expect(r"app running heap_free=(\d+)", 10)
        dev.expect("mqtt_connected", 10)
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
        steady = heap_report(dev)
        print(f"heap: -X heapsize={args.heapsize} (unix port, 64-bit objects)")
        print(
            f"  after start (app memory line): heap_free={mem.group(1)} B, "
            f"used_by_app={mem.group(2)} B (gc.mem_free() delta: import + construct)"
        )
        print(f"  tasks started (app running line): heap_free={running.group(1)} B")
        print(
            f"  after {args.taps} taps, connected (gc.collect): free {steady['mem_free']} B, "
            f"live {steady['mem_alloc']} B (app + simulator); qstr pools {steady['n_pool']}, "
            f"qstrs {steady['n_qstr']}"
        )
        print(
            f"tap-to-publish inside firmware (card selected -> PUBLISH written): "
            f"median {statistics.median(device_ms)} ms, max {max(device_ms)} ms"
        )
        print(
            f"tap command -> backend receives scan (incl. poll wait <= {args.poll_ms} ms): "
            f"median {statistics.median(host_ms):.1f} ms, "
            f"p95 {percentile(host_ms, 95):.1f} ms"
        )
        broker.stop()
        dev.expect("mqtt_(down|read_failed)", 30)
        for i in range(args.replay):
            dev.send(f"tap {0x20000000 + i:08X}")
        last_seq = args.taps + args.replay
        dev.expect(rf"scan_queued seq={last_seq} ", timeout=120)
        outage = heap_report(dev)
        broker.start()
        connected = int(dev.expect(r"^I (\d+) mqtt mqtt_connected", timeout=30).group(1))
        done = int(dev.expect(rf"^I (\d+) mqtt scan_sent seq={last_seq} ", timeout=60).group(1))
        for _ in range(args.replay):  # the backend really got them all
            q.get(timeout=30)
        span_ms = max(done - connected, 1)
        print(
            f"outbox replay after outage: {args.replay} scans sent in {span_ms} ms after CONNACK "
            f"({args.replay * 1000 / span_ms:.0f} scans/s, send window 8, PUBACK-paced)"
        )
        after = heap_report(dev)
        print(
            f"  heap free with {args.replay} scans waiting: {outage['mem_free']} B; "
            f"after the replay: {after['mem_free']} B"
        )
    finally:
        dev.kill()
        client.disconnect()  # wakes the network loop, which otherwise ends at its 1 s select
        client.loop_stop()
        broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
