"""Polls the RC522, turns each badge tap into exactly one event, and heals the chip when it goes bad."""

import asyncio
import time

import log
from drivers import iso14443a
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any, Callable

    from _mpy_shed.time_mp import _TicksMs as Ticks
    from config import Config
    from drivers.mfrc522 import MFRC522

_SLOTS = const(4)  # cards tracked at once for presence and cooldown
_MAX_PER_POLL = const(4)


class Reader:
    """Card-presence state machine + same-UID cooldown over a CardSelector, with health checks.

    A UID fires when it was absent for more than `absent_polls` polls and its last event is at
    least `cooldown_ms` old; a card held on the reader keeps answering WUPA and never re-fires.
    """

    def __init__(
        self, chip: "MFRC522", cfg: "Config", on_tap: "Callable[[bytearray, int], None]"
    ) -> None:
        self._chip = chip
        self._sel = iso14443a.CardSelector(chip)
        self._cfg = cfg
        self._on_tap = on_tap
        self.ok = False
        self.version = 0
        self.resets = 0
        self.failures = 0
        self.errors = 0
        self.progress = time.ticks_ms()
        self._polls = 0
        self._uids = bytearray(10 * _SLOTS)
        self._lens = [0] * _SLOTS
        self._seen = [0] * _SLOTS  # poll number when last seen
        self._fired: "list[Any]" = [0] * _SLOTS  # ticks_ms of last event

    async def run(self) -> None:
        """Poll forever; never awaits the network."""
        cfg = self._cfg
        await self._recover(False)
        next_health = time.ticks_add(time.ticks_ms(), cfg.health_ms)
        while True:
            now = time.ticks_ms()
            self.progress = now
            if not self.ok:
                await self._recover(True)
                continue
            self._poll(now)
            if self.ok and time.ticks_diff(now, next_health) >= 0:
                next_health = time.ticks_add(now, cfg.health_ms)
                problems = self._chip.health()
                if problems:
                    self.failures += 1
                    self.ok = False
                    log.warn("reader", "rc522_unhealthy", "problems=%d" % problems)
                    continue
            await asyncio.sleep_ms(cfg.poll_ms)

    def _try_init(self) -> bool:
        chip = self._chip
        if chip.init(self._cfg.rx_gain) and chip.health() == 0:
            self.version = chip.version
            self.ok = True
            return True
        return False

    async def _recover(self, counted: bool) -> None:
        """Soft reset, then hard reset, then back off (1 s doubling to 60 s) until healthy."""
        delay = 1000
        while True:
            self.progress = time.ticks_ms()
            if counted:
                self.resets += 1
            if self._try_init():
                log.info(
                    "reader",
                    "rc522_ok",
                    "version=0x%02x kind=soft resets=%d" % (self.version, self.resets),
                )
                return
            self._chip.hard_reset()
            self.resets += 1
            counted = True
            if self._try_init():
                log.info(
                    "reader",
                    "rc522_ok",
                    "version=0x%02x kind=hard resets=%d" % (self.version, self.resets),
                )
                return
            log.error("reader", "rc522_reset_failed", "retry_ms=%d" % delay)
            left = delay
            while left > 0:
                step = 500 if left > 500 else left
                await asyncio.sleep_ms(step)
                left -= step
                self.progress = time.ticks_ms()
            delay = min(delay * 2, 60000)

    def _poll(self, now: "Ticks") -> None:
        """WUPA wakes every card in the field (halted ones too), then select/HLTA each in turn."""
        self._polls += 1
        sel = self._sel
        ok = iso14443a.OK
        no_chip = iso14443a.NO_CHIP
        st = sel.wake()
        n = 0
        while (st == ok or st == iso14443a.COLLISION) and n < _MAX_PER_POLL:
            n += 1
            st = sel.select()
            if st == ok:
                self._seen_uid(sel.uid, sel.uid_len, now)
                sel.halt()
            elif st == no_chip:
                break
            elif st != iso14443a.NO_CARD:
                self.errors += 1
                log.debug("reader", "select_failed", "status=%d" % st)
                break
            st = sel.request()
        if st == no_chip:
            self.failures += 1
            self.ok = False
            log.warn("reader", "rc522_no_answer")

    def _seen_uid(self, uid: bytearray, n: int, now: "Ticks") -> None:
        cfg = self._cfg
        uids = self._uids
        slot = _SLOTS - 1
        while slot >= 0:  # the slot already tracking this UID, or -1
            if self._lens[slot] == n:
                base = slot * 10
                for i in range(n):
                    if uids[base + i] != uid[i]:
                        break
                else:
                    break
            slot -= 1
        if slot >= 0:
            absent = self._polls - self._seen[slot] > cfg.absent_polls
            cooled = time.ticks_diff(now, self._fired[slot]) >= cfg.cooldown_ms
            self._seen[slot] = self._polls
            if not (absent and cooled):
                return
        else:
            slot = 0
            for i in range(1, _SLOTS):
                if self._seen[i] < self._seen[slot]:
                    slot = i
            base = slot * 10
            for i in range(n):
                self._uids[base + i] = uid[i]
            self._lens[slot] = n
            self._seen[slot] = self._polls
        self._fired[slot] = now
        self._on_tap(uid, n)
