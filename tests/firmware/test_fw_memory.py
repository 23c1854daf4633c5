"""The firmware runs within `-X heapsize=100k` (ESP32-like RAM) and keeps a safety margin there.

Numbers come from the firmware itself: the `app memory heap_free=... used_by_app=...` log line
(gc.mem_free() before importing the app, and after building it) and the simulator's `mem`
control line (free/allocated after gc.collect(), plus MicroPython's qstr pool summary).
"""

from __future__ import annotations

import os
from typing import Any

from shared.contracts.command import Command
from shared.contracts.status import ReaderStatus
from tests.firmware.conftest import Probe
from tests.firmware.helpers import scan
from tools.firmware_reader import DEFAULT_HEAPSIZE, ESP32_HEAPSIZE

# After start: what the app (with the test simulator) took, and what it left free.
MAX_USED_BY_APP = 79_000
MIN_FREE_AFTER_START = 21_000
# Connected, after taps and a set_config (which loads and drops its code): what is left.
MIN_FREE_RUNNING = 12_000
# MicroPython interns names in pools of 20, 40, 80, 160, 320 entries; the 621st name would
# allocate a 6th pool of 640 entries (about 7.5 KB at once). Stay clearly below.
MAX_QSTRS = 605


def test_tests_and_demo_default_to_esp32_like_ram() -> None:
    assert ESP32_HEAPSIZE == "100k"
    assert os.environ.get("SENTINEL_FW_HEAPSIZE", "100k") == DEFAULT_HEAPSIZE


def test_runs_within_100k_with_a_margin(make_device: Any, probe: Probe) -> None:
    dev = make_device("mem", heapsize=ESP32_HEAPSIZE)
    dev.start()
    m = dev.expect(r"app memory heap_free=(\d+) used_by_app=(\d+)")
    heap_free, used_by_app = int(m.group(1)), int(m.group(2))
    assert used_by_app <= MAX_USED_BY_APP, m.group(0)
    assert heap_free >= MIN_FREE_AFTER_START, m.group(0)
    while ReaderStatus.model_validate_json(probe.next("/status")[1]).state != "online":
        pass
    for i in range(10):
        dev.send(f"tap {0x10000000 + i:08X}")
        assert scan(probe).seq == i + 1
    payload = Command(cmd_id="m-1", cmd="set_config", args={"cooldown_ms": 400}).to_bytes()
    probe.publish("sentinel/v1/readers/rdr-mem/cmd", payload)
    assert b'"ok":true' in probe.next("/cmd/ack")[1]
    dev.send("mem")
    mem = dev.sim("mem_free")
    pool = dev.expect(r"^qstr pool: n_pool=(\d+), n_qstr=(\d+)")
    assert mem["mem_free"] >= MIN_FREE_RUNNING, mem
    assert mem["mem_free"] + mem["mem_alloc"] <= 100 * 1024, mem  # it really ran in 100k
    assert int(pool.group(1)) <= 5 and int(pool.group(2)) <= MAX_QSTRS, pool.group(0)
    assert "MemoryError" not in dev.output()
