"""Shows tap results on the LEDs and buzzer: one pattern per backend `result`, plus read/offline/identify."""

import asyncio
import json
import time

import log
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

# One pattern per line, "<name> <step>...", each step "<leds><hz>/<ms>": leds - (off),
# G (green), R (red), Y (both); hz is the buzzer tone (empty = silent). One string, not a
# dict of strings, to save RAM. Documented in firmware/README.md.
_PATTERNS = const(
    "\nread -4000/40"
    "\nchecked_in G2000/150 G/850"
    "\nchecked_out G1500/100 -/100 G1500/100 G/700"
    "\nduplicate Y1000/80 Y/920"
    "\nrejected R400/600 R/900"
    "\nlockup_held R800/150 -/150 R800/150 -/150 R800/150 -/150"
    "\nerror R300/100 -/100 R300/100 -/100 R300/100 -/100 R300/100 -/100"
    "\noffline Y/200 -/200 Y/200 -/200"
    "\nidentify G/250 R/250 G/250 R/250 G/250 R/250 G/250 R/250 G/250 R/250 G/250 R/250"
    "\n"
)
_MAX_PAYLOAD = const(1024)
_SLICE_MS = const(20)


class Feedback:
    """Plays one pattern at a time (a newer one preempts); tracks the scan awaiting an answer."""

    def __init__(self, hw: "Any", timeout_ms: int) -> None:
        self._hw = hw
        self.timeout_ms = timeout_ms
        self._pending = ""
        self._pending_at = time.ticks_ms()
        self._next = ""
        self.progress = time.ticks_ms()
        self.played = 0

    def play(self, name: str) -> None:
        """Start pattern `name` now (within 20 ms), interrupting the current one."""
        self._next = name

    def tapped(self, event_id: str, online: bool) -> None:
        """A scan was queued: beep once, then wait for its answer or show offline."""
        if online:
            self._pending = event_id
            self._pending_at = time.ticks_ms()
            self.play("read")
        else:
            self._pending = ""
            self.play("offline")

    def on_message(self, payload: bytes) -> None:
        """Handle one feedback payload; malformed or stale ones are logged and ignored."""
        if len(payload) > _MAX_PAYLOAD:
            log.warn("fb", "feedback_invalid", "reason=oversize bytes=%d" % len(payload))
            return
        try:
            msg = json.loads(payload)
        except ValueError:
            log.warn("fb", "feedback_invalid", "reason=bad_json")
            return
        results = ("checked_in", "checked_out", "duplicate", "rejected", "lockup_held", "error")
        if type(msg) is not dict or msg.get("v") != 1 or msg.get("result") not in results:
            log.warn("fb", "feedback_invalid", "reason=schema")
            return
        event_id = msg.get("event_id")
        result = msg["result"]
        if event_id is not None and type(event_id) is not str:
            log.warn("fb", "feedback_invalid", "reason=event_id")
            return
        if self._pending and (event_id == self._pending or event_id is None):
            self._pending = ""
            log.info("fb", "feedback", "result=%s" % result)
            self.play(result)
        else:
            # Answers to replayed or old scans are informational (mqtt-contract.md).
            log.info("fb", "feedback_stale", "result=%s" % result)

    async def run(self) -> None:
        """Play queued patterns; turn a missing answer into the offline pattern.

        Polls every 20 ms rather than waiting on an Event with a timeout: each
        asyncio.wait_for_ms allocates tasks and closures (about 1 KB while it waits).
        """
        hw = self._hw
        while True:
            now = time.ticks_ms()
            self.progress = now
            if self._pending and time.ticks_diff(now, self._pending_at) > self.timeout_ms:
                self._pending = ""
                log.info("fb", "feedback_timeout")
                self.play("offline")
            name = self._next
            if not name:
                await asyncio.sleep_ms(_SLICE_MS)
                continue
            self._next = ""
            self.played += 1
            log.debug("fb", "pattern", name)
            start = _PATTERNS.find("\n" + name + " ") + len(name) + 2
            end = _PATTERNS.find("\n", start) if start > len(name) + 1 else start
            for step in _PATTERNS[start:end].split():
                slash = step.find("/")
                leds = step[0]
                hw.led(1 if leds in "GY" else 0, 1 if leds in "RY" else 0)
                hw.buzz(int(step[1:slash]) if slash > 1 else 0)
                until = time.ticks_add(time.ticks_ms(), int(step[slash + 1 :]))
                while not self._next:  # a newer pattern preempts this one
                    left = time.ticks_diff(until, time.ticks_ms())
                    if left <= 0:
                        break
                    await asyncio.sleep_ms(left if left < _SLICE_MS else _SLICE_MS)
                if self._next:
                    break
            hw.led(0, 0)
            hw.buzz(0)
