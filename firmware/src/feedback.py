"""Shows tap results on the LEDs and buzzer: one pattern per backend `result`, plus read/offline/identify."""

import asyncio
import json
import time

import log

try:
    from typing import TYPE_CHECKING
except ImportError:
    TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

# Space-separated steps "<leds><hz>/<ms>": leds - (off), G (green), R (red), Y (both);
# hz is the buzzer tone (empty = silent). Documented in firmware/README.md.
PATTERNS = {
    "read": "-4000/40",
    "checked_in": "G2000/150 G/850",
    "checked_out": "G1500/100 -/100 G1500/100 G/700",
    "duplicate": "Y1000/80 Y/920",
    "rejected": "R400/600 R/900",
    "lockup_held": "R800/150 -/150 R800/150 -/150 R800/150 -/150",
    "error": "R300/100 -/100 R300/100 -/100 R300/100 -/100 R300/100 -/100",
    "offline": "Y/200 -/200 Y/200 -/200",
    "identify": "G/250 R/250 G/250 R/250 G/250 R/250 G/250 R/250 G/250 R/250 G/250 R/250",
}
RESULTS = ("checked_in", "checked_out", "duplicate", "rejected", "lockup_held", "error")
_MAX_PAYLOAD = 1024


class Feedback:
    """Plays one pattern at a time (a newer one preempts); tracks the scan awaiting an answer."""

    def __init__(self, hw: "Any", timeout_ms: int) -> None:
        self._hw = hw
        self.timeout_ms = timeout_ms
        self._pending = ""
        self._pending_at = time.ticks_ms()
        self._next = ""
        self._ev = asyncio.Event()
        self.progress = time.ticks_ms()
        self.played = 0

    def play(self, name: str) -> None:
        """Start pattern `name` now, interrupting the current one."""
        self._next = name
        self._ev.set()

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
        if type(msg) is not dict or msg.get("v") != 1 or msg.get("result") not in RESULTS:
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

    def _out(self, green: int, red: int, hz: int) -> None:
        hw = self._hw
        hw.led(green, red)
        hw.buzz(hz)

    async def run(self) -> None:
        """Play queued patterns; turn a missing answer into the offline pattern."""
        while True:
            self.progress = time.ticks_ms()
            if (
                self._pending
                and time.ticks_diff(time.ticks_ms(), self._pending_at) > self.timeout_ms
            ):
                self._pending = ""
                log.info("fb", "feedback_timeout")
                self.play("offline")
            if not self._next:
                self._ev.clear()
                try:
                    await asyncio.wait_for_ms(self._ev.wait(), 100)
                except asyncio.TimeoutError:
                    pass
                continue
            name = self._next
            self._next = ""
            self._ev.clear()
            self.played += 1
            log.debug("fb", "pattern", name)
            for step in PATTERNS.get(name, "").split():
                slash = step.find("/")
                leds = step[0]
                hz = int(step[1:slash]) if slash > 1 else 0
                ms = int(step[slash + 1 :])
                self._out(1 if leds in "GY" else 0, 1 if leds in "RY" else 0, hz)
                try:
                    await asyncio.wait_for_ms(self._ev.wait(), ms)
                    break  # preempted by a newer pattern
                except asyncio.TimeoutError:
                    pass
            self._out(0, 0, 0)
