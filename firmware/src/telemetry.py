"""Builds and sends the periodic heartbeat (uptime, RSSI, heap, outbox, RC522 health, reconnects)."""

import asyncio
import gc
import json

import log

try:
    from typing import TYPE_CHECKING
except ImportError:
    TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def heartbeat(app: "Any") -> bytes:
    """Return the heartbeat JSON for the current state of `app`."""
    rd = app.reader
    ob = app.outbox
    return json.dumps({
        "v": 1,
        "ts": app.clock.ts_json(),
        "uptime_s": app.clock.mono_ms() // 1000,
        "rssi": app.net.rssi(),
        "heap_free": gc.mem_free(),
        "outbox": {"depth": ob.depth(), "dropped": ob.dropped},
        "reader": {"ok": rd.ok, "resets": rd.resets, "version": "0x%02x" % rd.version,
                   "failures": rd.failures, "errors": rd.errors},
        "time_synced": app.clock.synced,
        "mqtt_reconnects": app.uplink.reconnects,
        "wifi_drops": app.net.drops,
        "fw": app.fw,
    }, separators=(",", ":")).encode()


async def run(app: "Any") -> None:
    """Send a heartbeat every `heartbeat_s` while connected (QoS0: a lost one is fine)."""
    while True:
        if app.uplink.connected:
            try:
                await app.uplink.publish("heartbeat", heartbeat(app), 0)
            except (OSError, asyncio.TimeoutError) as e:
                log.warn("hb", "heartbeat_failed", "exc=%s" % type(e).__name__)
        wait_ms = app.cfg.heartbeat_s * 1000
        while wait_ms > 0:
            step = 1000 if wait_ms > 1000 else wait_ms
            await asyncio.sleep_ms(step)
            wait_ms -= step
        gc.collect()
