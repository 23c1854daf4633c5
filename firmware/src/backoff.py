"""Capped exponential backoff with jitter (callers sleep in short slices so watchdog progress continues)."""

import random


class Backoff:
    """Delay doubles from `min_ms` to `max_ms`; each wait is a random 50-100 % of it."""

    def __init__(self, min_ms: int, max_ms: int) -> None:
        self.min_ms = min_ms
        self.max_ms = max_ms
        self._next = min_ms

    def reset(self) -> None:
        """Start again from the minimum after a success."""
        self._next = self.min_ms

    def next_delay(self) -> int:
        """Return the next jittered delay in ms and double the base."""
        base = self._next
        self._next = min(self.max_ms, base * 2)
        half = base // 2
        return half + (random.getrandbits(16) * (base - half)) // 65536
