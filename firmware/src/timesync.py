"""Keeps wall-clock time: NTP sync with retries, epoch normalisation to Unix ms, monotonic uptime."""

import time

import log
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any, Callable

    from _mpy_shed.time_mp import _TicksMs as Ticks
    from config import Config
    from net import Net

UNIX_TO_2000_MS = 946684800000


def epoch_offset_ms(epoch_year: int) -> int:
    """Return what to add to port-epoch ms to get Unix ms (ESP32 counts from 2000-01-01)."""
    return UNIX_TO_2000_MS if epoch_year == 2000 else 0


_OFFSET_MS = epoch_offset_ms(time.gmtime(0)[0])


class Clock:
    """`ts_ms()` is Unix ms once NTP succeeded (else -1); `mono_ms()` never wraps or jumps.

    NTP runs when the network is up and resyncs every `ntp_resync_s`, retrying with backoff;
    `ntptime` blocks for at most its 1 s socket timeout, and only when a sync is due.
    """

    def __init__(self, cfg: "Config", net: "Net", ntp_sync: "Callable[[str], Any]") -> None:
        self.synced = False
        self._last = time.ticks_ms()
        self._mono = 0
        self._cfg = cfg
        self._net = net
        self._ntp_sync = ntp_sync
        self._next_at = self._last
        self._due = True
        self._retry_ms = 2000

    def mono_ms(self) -> int:
        """Return ms since boot; call at least every few days so ticks wrap-around is caught."""
        now = time.ticks_ms()
        self._mono += time.ticks_diff(now, self._last)
        self._last = now
        return self._mono

    def ts_ms(self) -> int:
        """Return Unix epoch ms, or -1 when the clock was never synced."""
        if not self.synced:
            return -1
        return time.time_ns() // 1000000 + _OFFSET_MS

    def ts_json(self) -> "int | None":
        """Return `ts` for a payload: Unix ms or None."""
        ts = self.ts_ms()
        return None if ts < 0 else ts

    def sync_now(self) -> bool:
        """Try one NTP exchange (blocks up to the ntptime socket timeout, about 1 s)."""
        try:
            self._ntp_sync(self._cfg.ntp_host)
        except (OSError, OverflowError, ValueError, IndexError) as e:
            log.warn("time", "ntp_failed", "exc=%s" % type(e).__name__)
            return False
        self.synced = True
        log.info("time", "ntp_synced", "ts=%d" % self.ts_ms())
        return True

    def maybe_sync(self, now: "Ticks") -> None:
        """Called every second: sync when due; failures retry after 2 s doubling to 5 min."""
        cfg = self._cfg
        if not cfg.ntp_enabled or not self._net.is_up():
            return
        if not self._due and time.ticks_diff(now, self._next_at) < 0:
            return
        self._due = False
        if self.sync_now():
            self._retry_ms = 2000
            self._next_at = time.ticks_add(now, cfg.ntp_resync_s * 1000)
        else:
            self._next_at = time.ticks_add(now, self._retry_ms)
            self._retry_ms = min(self._retry_ms * 2, 300000)
