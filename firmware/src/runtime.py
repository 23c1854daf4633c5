"""The running reader: wires config, hardware, reader, outbox, MQTT uplink and helpers into one asyncio program."""

import asyncio
import binascii
import gc
import os
import sys
import time

import log
import payloads
from drivers.mfrc522 import MFRC522
from feedback import Feedback
from micropython import const
from net import Net
from outbox import Outbox
from reader import Reader
from timesync import Clock
from uplink import Uplink
from watchdog import Watchdog

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

    from config import Config

_FW = const("1.0.0")


class App:
    """Owns every component and task of the reader."""

    def __init__(self, cfg: "Config", hw: "Any", config_path: str) -> None:
        self.cfg = cfg
        self.hw = hw
        self.fw = _FW
        self.config_path = config_path
        self.boot_id = os.urandom(4)
        self.boot_hex = binascii.hexlify(self.boot_id).decode()
        mac = binascii.hexlify(hw.mac()[-3:]).decode()
        self.device_id = cfg.device_id or "esp32-" + mac
        self.outbox = Outbox(cfg.data_dir, cfg.outbox_capacity, cfg.outbox_flush_acks)
        self.net = Net(hw.wlan, cfg)
        self.clock = Clock(cfg, self.net, hw.ntp_sync)
        self.feedback = Feedback(hw, cfg.feedback_timeout_ms)
        self.uplink = Uplink(
            cfg, self.device_id, self.boot_hex, self.outbox, self.net, self.clock, _FW
        )
        self.reader = Reader(MFRC522(hw.spi, hw.cs, hw.rst), cfg, self._on_tap)
        self.commands: "Any" = None  # loaded with the first cmd: most readers never get one
        self.uplink.on_feedback = self.feedback.on_message
        self.uplink.on_command = self._on_command
        self.watchdog = Watchdog(hw, cfg.wdt_ms)
        self.tasks: "list[Any]" = []
        self._last_save = time.ticks_ms()

    def _on_tap(self, uid: bytearray, n: int) -> None:
        clock = self.clock
        seq = self.outbox.append(uid, n, clock.ts_ms(), clock.synced, clock.mono_ms(), self.boot_id)
        self.uplink.notify()
        event_id = "%s:%s:%d" % (self.device_id, self.boot_hex, seq)
        self.feedback.tapped(event_id, self.uplink.connected)
        log.info(
            "reader",
            "scan_queued",
            "seq=%d uid=%s uid_len=%d depth=%d"
            % (seq, binascii.hexlify(bytes(uid[:n])).decode().upper(), n, self.outbox.depth()),
        )

    def _on_command(self, payload: bytes) -> None:
        if self.commands is None:  # loaded per burst of commands, dropped when they are done
            from commands import Commands

            del sys.modules["commands"]
            self.commands = Commands(self)
        self.commands.submit(payload)

    async def restart(self, reason: str) -> None:
        """Leave cleanly (offline status with reason, outbox saved) and reset the chip."""
        log.warn("app", "restart", "reason=" + reason)
        await self.uplink.shutdown(reason)
        self.outbox.close()
        self.hw.led(0, 0)
        self.hw.buzz(0)
        self.hw.reset()

    async def run(self) -> None:
        """Start the long-running tasks, then tick every second: WDT, NTP, heartbeat, flush."""
        log.info(
            "app", "start", "device_id=%s boot_id=%s fw=%s" % (self.device_id, self.boot_hex, _FW)
        )
        for coro in (self.net.run(), self.reader.run(), self.uplink.run(), self.feedback.run()):
            self.tasks.append(asyncio.create_task(coro))
        wd = self.watchdog
        wd.watch("reader", self.reader, 10000)
        wd.watch("uplink", self.uplink, 25000)
        wd.watch("net", self.net, 25000)
        wd.watch("feedback", self.feedback, 10000)
        wd.start()
        gc.collect()
        log.info("app", "running", "heap_free=%d" % gc.mem_free())
        next_hb = time.ticks_ms()
        while True:
            now = time.ticks_ms()
            self.uplink.notify()  # its keepalive and resend checks run on this tick
            wd.feed_if_healthy()
            self.clock.maybe_sync(now)
            if time.ticks_diff(now, next_hb) >= 0:
                next_hb = time.ticks_add(now, self.cfg.heartbeat_s * 1000)
                await self._heartbeat()
            # Coalesced outbox flush (flash wear), uptime bookkeeping, garbage collection.
            ob = self.outbox
            since = time.ticks_diff(now, self._last_save)
            if ob.has_unsaved() and since >= self.cfg.outbox_flush_ms:
                ob.save()
                self._last_save = now
            self.clock.mono_ms()
            gc.collect()
            # A plain sleep: asyncio.wait_for_ms would hold a task and closures (about 1 KB).
            await asyncio.sleep_ms(1000 - time.ticks_diff(time.ticks_ms(), now) % 1000)

    async def _heartbeat(self) -> None:
        if not self.uplink.connected:
            return
        try:  # QoS0: a lost heartbeat is fine
            await self.uplink.publish("heartbeat", payloads.heartbeat(self), 0)
        except (OSError, asyncio.TimeoutError) as e:
            log.warn("app", "heartbeat_failed", "exc=%s" % type(e).__name__)
