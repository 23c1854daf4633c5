"""Renders the contract JSON the reader publishes: scan, status (birth, will, offline) and heartbeat."""

import binascii
import gc
import json

from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

    from outbox import Record

LWT = b'{"v":1,"state":"offline"}'


def scan(rec: "Record", device_id: str, replayed: bool) -> bytes:
    """Render one stored scan as the contract's scan JSON (mqtt-contract.md, reader → backend)."""
    boot = binascii.hexlify(rec.boot_id).decode()
    uid = binascii.hexlify(rec.uid[: rec.uid_len]).decode().upper()
    return (
        '{"v":1,"event_id":"%s:%s:%d","boot_id":"%s","seq":%d,"uid":"%s","uid_len":%d,'
        '"ts":%s,"ts_src":"%s","mono_ms":%d,"replayed":%s}'
        % (
            device_id,
            boot,
            rec.seq,
            boot,
            rec.seq,
            uid,
            rec.uid_len,
            "null" if rec.ts_ms < 0 else str(rec.ts_ms),
            "ntp" if rec.ntp else "none",
            rec.mono_ms,
            "true" if replayed else "false",
        )
    ).encode()


def birth(fw: str, boot_hex: str, ip: str, ts: "int | None") -> bytes:
    """Return the retained online status published right after CONNACK."""
    return json.dumps(
        {"v": 1, "state": "online", "fw": fw, "boot_id": boot_hex, "ip": ip, "ts": ts},
        separators=(",", ":"),
    ).encode()


def offline(reason: str) -> bytes:
    """Return the retained graceful offline status (the broker's Last Will has no reason)."""
    return ('{"v":1,"state":"offline","reason":"%s"}' % reason).encode()


def heartbeat(app: "Any") -> bytes:
    """Return the heartbeat JSON for the current state of `app`."""
    rd = app.reader
    ob = app.outbox
    return json.dumps(
        {
            "v": 1,
            "ts": app.clock.ts_json(),
            "uptime_s": app.clock.mono_ms() // 1000,
            "rssi": app.net.rssi(),
            "heap_free": gc.mem_free(),
            "outbox": {"depth": ob.depth(), "dropped": ob.dropped},
            "reader": {
                "ok": rd.ok,
                "resets": rd.resets,
                "version": "0x%02x" % rd.version,
                "failures": rd.failures,
                "errors": rd.errors,
            },
            "time_synced": app.clock.synced,
            "mqtt_reconnects": app.uplink.reconnects,
            "wifi_drops": app.net.drops,
            "fw": app.fw,
        },
        separators=(",", ":"),
    ).encode()
