"""Supervises the WiFi station: connect, notice drops, reconnect with capped backoff."""

import asyncio
import time

import log
from backoff import Backoff
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

    from config import Config


class Net:
    """Wraps an injected network.WLAN; `is_up()` is what the rest of the firmware asks."""

    def __init__(self, wlan: "Any", cfg: "Config") -> None:
        self._wlan = wlan
        self._cfg = cfg
        self.progress = time.ticks_ms()
        self.drops = 0
        self._was_up = False

    def is_up(self) -> bool:
        """True while the station has an IP address."""
        return bool(self._wlan.isconnected())

    def ip(self) -> str:
        """Return the station's IPv4 address or an empty string."""
        try:
            return self._wlan.ifconfig()[0]
        except (OSError, IndexError):
            return ""

    def rssi(self) -> "int | None":
        """Return the signal strength in dBm, or None when unknown."""
        try:
            return int(self._wlan.status("rssi"))
        except (OSError, ValueError, TypeError):
            return None

    async def run(self) -> None:
        """Keep the station connected forever."""
        wlan = self._wlan
        cfg = self._cfg
        wlan.active(True)
        backoff = Backoff(cfg.backoff_min_ms, cfg.backoff_max_ms)
        while True:
            self.progress = time.ticks_ms()
            if wlan.isconnected():
                if not self._was_up:
                    self._was_up = True
                    backoff.reset()
                    log.info("net", "wifi_up", "ip=" + self.ip())
                await asyncio.sleep_ms(500)
                continue
            if self._was_up:
                self._was_up = False
                self.drops += 1
                log.warn("net", "wifi_down")
            try:
                wlan.connect(cfg.wifi_ssid, cfg.wifi_password)
            except OSError as e:
                log.warn("net", "wifi_connect_failed", "exc=%s" % e)
            deadline = time.ticks_add(time.ticks_ms(), 15000)
            while not wlan.isconnected() and time.ticks_diff(deadline, time.ticks_ms()) > 0:
                self.progress = time.ticks_ms()
                await asyncio.sleep_ms(200)
            if not wlan.isconnected():
                try:
                    wlan.disconnect()
                except OSError:
                    pass
                delay = backoff.next_delay()
                log.warn("net", "wifi_retry", "in_ms=%d" % delay)
                while delay > 0:
                    self.progress = time.ticks_ms()
                    step = 500 if delay > 500 else delay
                    await asyncio.sleep_ms(step)
                    delay -= step
