"""Wires config, hardware, reader, outbox, MQTT uplink and helpers into one asyncio program."""

import asyncio
import binascii
import gc
import os
import time

import config
import hal
import log
import payloads
from commands import Commands
from drivers.mfrc522 import MFRC522
from feedback import Feedback
from net import Net
from outbox import Outbox
from reader import Reader
from timesync import Clock, TimeSync
from uplink import Uplink
from watchdog import Watchdog

try:
    from typing import TYPE_CHECKING
except ImportError:
    TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from _mpy_shed.time_mp import _TicksMs as Ticks

FW = "1.0.0"
CONFIG_PATH = "config.json"


class App:
    """Owns every component and task of the reader."""

    def __init__(self, cfg: "config.Config", hw: "Any", config_path: str) -> None:
        self.cfg = cfg
        self.hw = hw
        self.fw = FW
        self.config_path = config_path
        self.boot_id = os.urandom(4)
        self.boot_hex = binascii.hexlify(self.boot_id).decode()
        mac = binascii.hexlify(hw.mac()[-3:]).decode()
        self.device_id = cfg.device_id or "esp32-" + mac
        self.clock = Clock()
        self.outbox = Outbox(cfg.data_dir, cfg.outbox_capacity, cfg.outbox_flush_acks)
        self.net = Net(hw.wlan, cfg)
        self.feedback = Feedback(hw, cfg.feedback_timeout_ms)
        self.timesync = TimeSync(cfg, self.clock, self.net, hw.ntp_sync)
        self.uplink = Uplink(
            cfg, self.device_id, self.boot_hex, self.outbox, self.net, self.clock, FW
        )
        self.reader = Reader(MFRC522(hw.spi, hw.cs, hw.rst), cfg, self._on_tap)
        self.commands = Commands(self)
        self.uplink.on_feedback = self.feedback.on_message
        self.uplink.on_command = self.commands.submit
        self.watchdog = Watchdog(hw, cfg.wdt_ms)
        self.tasks: "list[Any]" = []
        self._last_save = time.ticks_ms()
        self._wake = asyncio.Event()

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

    async def restart(self, reason: str) -> None:
        """Leave cleanly (offline status with reason, outbox saved) and reset the chip."""
        log.warn("app", "restart", "reason=" + reason)
        await self.uplink.shutdown(reason)
        self.outbox.close()
        self.hw.led(0, 0)
        self.hw.buzz(0)
        self.hw.reset()

    def wake(self) -> None:
        """Wake the supervisor early (a command arrived)."""
        self._wake.set()

    async def run(self) -> None:
        """Start the long-running tasks, then supervise: commands, WDT, NTP, heartbeat, flush."""
        log.info(
            "app", "start", "device_id=%s boot_id=%s fw=%s" % (self.device_id, self.boot_hex, FW)
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
        now = time.ticks_ms()
        next_tick = now
        next_hb = now
        while True:
            await self.commands.drain()
            now = time.ticks_ms()
            if time.ticks_diff(now, next_tick) >= 0:
                next_tick = time.ticks_add(now, 1000)
                wd.feed_if_healthy()
                self.timesync.maybe_sync(now)
                if time.ticks_diff(now, next_hb) >= 0:
                    next_hb = time.ticks_add(now, self.cfg.heartbeat_s * 1000)
                    await self._heartbeat()
                self._housekeeping(now)
            self._wake.clear()
            try:
                await asyncio.wait_for_ms(self._wake.wait(), 1000)
            except asyncio.TimeoutError:
                pass

    async def _heartbeat(self) -> None:
        if not self.uplink.connected:
            return
        try:  # QoS0: a lost heartbeat is fine
            await self.uplink.publish("heartbeat", payloads.heartbeat(self), 0)
        except (OSError, asyncio.TimeoutError) as e:
            log.warn("app", "heartbeat_failed", "exc=%s" % type(e).__name__)

    def _housekeeping(self, now: "Ticks") -> None:
        """Coalesced outbox flush (flash wear), uptime bookkeeping, garbage collection."""
        ob = self.outbox
        if ob.has_unsaved() and time.ticks_diff(now, self._last_save) >= self.cfg.outbox_flush_ms:
            ob.save()
            self._last_save = now
        self.clock.mono_ms()
        gc.collect()


def main(config_path: str = CONFIG_PATH, free_before_import: int = 0) -> None:
    """Load the config, build the hardware layer and run; reset after an unexpected crash."""
    gc.collect()
    free_at_start = free_before_import or gc.mem_free()
    cfg = config.load(config_path)
    log.set_level(cfg.log_level)
    hw = hal.load()(cfg)
    try:
        app = App(cfg, hw, config_path)
        gc.collect()
        log.info(
            "app",
            "memory",
            "heap_free=%d used_by_app=%d" % (gc.mem_free(), free_at_start - gc.mem_free()),
        )
        asyncio.run(app.run())
    except Exception as e:  # last resort: log, pause so a crash cannot spin, reset
        log.exc("app", "crashed", e)
        time.sleep_ms(10000)
        hw.reset()
