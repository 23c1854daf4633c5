"""Feeds the hardware watchdog only while every critical task shows recent progress."""

import time

import log
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any


class Watchdog:
    """Each watched task exposes a `progress` tick stamp; a stale one stops the feeding."""

    def __init__(self, hw: "Any", timeout_ms: int) -> None:
        self._hw = hw
        self._timeout_ms = timeout_ms
        self._watched: "list[tuple[str, Any, int]]" = []
        self.stale = ""
        self.feeds = 0

    def watch(self, name: str, task: "Any", max_age_ms: int) -> None:
        """Require `task.progress` to be newer than `max_age_ms` for the dog to be fed."""
        self._watched.append((name, task, max_age_ms))

    def check(self) -> str:
        """Return the name of the first stale task, or an empty string when all progress."""
        now = time.ticks_ms()
        for name, task, max_age in self._watched:
            if time.ticks_diff(now, task.progress) > max_age:
                return name
        return ""

    def start(self) -> None:
        """Start the hardware WDT when a timeout is configured (it cannot be stopped again)."""
        if self._timeout_ms:
            self._hw.wdt_start(self._timeout_ms)

    def feed_if_healthy(self) -> None:
        """Feed the WDT only if no watched task is stale; log a newly stalled task once."""
        stale = self.check()
        if stale:
            if stale != self.stale:
                log.error("wdt", "task_stalled", "task=" + stale)
        elif self._timeout_ms:
            self._hw.wdt_feed()
            self.feeds += 1
        self.stale = stale
