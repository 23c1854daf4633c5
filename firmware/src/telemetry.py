"""Builds the periodic heartbeat: uptime, RSSI, heap, outbox, RC522 health, reconnects."""

import gc
import json

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
