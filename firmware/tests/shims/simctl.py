"""Test-only simulator hub: reads control lines from stdin, owns the fake RC522, prints SIM events."""

import json
import select
import sys
import time

from picc import Card
from rc522_chip import Chip

_chip = None
_poll = None
_eof = False
_last = 0
_taps = bytearray()  # queued taps as <len><uid bytes>: RAM is tight under -X heapsize
wifi_up = True
ntp_ok = True
wdt_feeds = 0
verbose = False


def emit(obj):
    """Print one simulator event line for the test harness."""
    print("SIM", json.dumps(obj, separators=(",", ":")))


def chip():
    global _chip
    if _chip is None:
        _chip = Chip()
        _chip.field.on_select = _on_select
    return _chip


def _on_select(card):
    if verbose:
        emit({"sel": "".join("%02X" % x for x in card.uid), "n": card.selected})


def pin(pin_id, value):
    c = chip()
    c.pin(pin_id, value)
    if pin_id != c.cs_pin and pin_id != c.rst_pin:
        emit({"pin": pin_id, "v": value})


def _card(args):
    sak = int(args[1], 16) if len(args) > 1 and args[1] != "-" else None
    return Card(bytes.fromhex(args[0]), sak)


def handle(line):
    """Apply one control line (see firmware/tests/README in firmware/README.md)."""
    global wifi_up, ntp_ok, verbose
    parts = line.split()
    if not parts:
        return
    cmd, args = parts[0], parts[1:]
    field = chip().field
    if cmd == "tap":
        uid = _card(args[:1]).uid
        _taps.append(len(uid))
        _taps.extend(uid)
    elif cmd == "place":
        field.cards.append(_card(args))
    elif cmd == "remove":
        if args:
            uid = _card(args).uid
            field.cards = [c for c in field.cards if c.uid != uid]
        else:
            field.cards = []
    elif cmd == "fault":
        chip().fault(args[0], int(args[1]) if len(args) > 1 else 0)
    elif cmd == "wifi":
        wifi_up = args[0] == "up"
    elif cmd == "ntp":
        ntp_ok = args[0] == "ok"
    elif cmd == "verbose":
        verbose = args[0] == "1"
    elif cmd == "echo":
        emit({"echo": " ".join(args)})
    elif cmd == "stats":
        c = chip()
        emit({"soft_resets": c.soft_resets, "hard_resets": c.hard_resets, "wdt_feeds": wdt_feeds})
    elif cmd == "mem":  # `mem map` also prints the heap's block map
        import gc

        import micropython

        gc.collect()
        emit({"mem_free": gc.mem_free(), "mem_alloc": gc.mem_alloc()})
        micropython.qstr_info()  # "qstr pool: n_pool=5, n_qstr=..." (pool 6 would cost 7.5 KB)
        if args:
            micropython.mem_info(1)
    else:
        emit({"error": "unknown control " + cmd})


def _advance_taps():
    if not _taps:
        return
    field = chip().field
    for c in field.cards:
        if c.selects_left > 0:
            return
    field.cards = [c for c in field.cards if c.selects_left != 0]
    n = _taps[0]
    card = Card(bytes(_taps[1 : 1 + n]))
    _taps[: 1 + n] = b""
    card.selects_left = 2  # a tap is seen by two polls, then the card leaves the field
    field.cards.append(card)


def maybe_poll():
    """Read pending control lines (at most every 5 ms); called from shim entry points."""
    global _poll, _eof, _last
    now = time.ticks_ms()
    if time.ticks_diff(now, _last) < 5:
        return
    _last = now
    _advance_taps()
    if _eof:
        return
    if _poll is None:
        _poll = select.poll()
        _poll.register(sys.stdin, select.POLLIN)
    while _poll.poll(0):
        line = sys.stdin.readline()
        if not line:
            _eof = True
            return
        handle(line)
    _advance_taps()
