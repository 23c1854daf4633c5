"""Tests outbox.Outbox on the unix port's filesystem (persistence, ordering, oldest-drop)."""

import os
import struct

from outbox import Outbox

_N = [0]


def fresh_dir():
    _N[0] += 1
    d = "/tmp/outbox_ut_%d_%d" % (os.getpid() if hasattr(os, "getpid") else 0, _N[0])
    try:
        for name in os.listdir(d):
            os.remove(d + "/" + name)
    except OSError:
        pass
    return d


BOOT = b"\x01\x02\x03\x04"


def add(ob, i):
    return ob.append(bytes([i, 1, 2, 3]), 4, 1000 + i, True, i, BOOT)


def test_append_and_get_roundtrip():
    ob = Outbox(fresh_dir(), 8)
    seq = ob.append(b"\x04\xa1\xb2\xc3\xd4\xe5\xf6", 7, 1764110000123, True, 99, BOOT)
    assert seq == 1 and ob.depth() == 1
    r = ob.get(1)
    assert r is not None
    assert r.uid[:7] == b"\x04\xa1\xb2\xc3\xd4\xe5\xf6" and r.uid_len == 7
    assert r.ts_ms == 1764110000123 and r.ntp and r.mono_ms == 99 and r.boot_id == BOOT


def test_slot_size_matches_the_record_format():
    assert struct.calcsize("<BBBBIIq4s10sH") == 36  # outbox._FMT and _REC_SIZE
    d = fresh_dir()
    Outbox(d, 8).close()
    assert os.stat(d + "/outbox.bin")[6] == 8 * 36


def test_survives_reopen_and_seq_continues():
    d = fresh_dir()
    ob = Outbox(d, 8)
    for i in range(3):
        add(ob, i)
    ob.ack(1)
    ob.close()
    ob2 = Outbox(d, 8)
    assert ob2.next_seq == 4
    assert ob2.first() == 2 and ob2.depth() == 2
    assert add(ob2, 9) == 4


def test_full_drops_oldest_and_counts():
    ob = Outbox(fresh_dir(), 4)
    for i in range(6):
        add(ob, i)
    assert ob.dropped == 2
    assert ob.first() == 3 and ob.depth() == 4
    assert ob.get(2) is None
    assert ob.get(3).seq == 3


def test_out_of_order_acks_advance_contiguously():
    ob = Outbox(fresh_dir(), 8)
    for i in range(4):
        add(ob, i)
    ob.ack(2)
    assert ob.acked == 0
    ob.ack(1)
    assert ob.acked == 2
    ob.ack(4)
    ob.ack(3)
    assert ob.acked == 4 and ob.depth() == 0


def test_acks_are_coalesced_on_flash():
    d = fresh_dir()
    ob = Outbox(d, 16, flush_acks=4)
    for i in range(6):
        add(ob, i)
    ob.ack(1)
    ob.ack(2)
    assert ob.has_unsaved()
    ob2 = Outbox(d, 16)
    assert ob2.acked == 0  # not yet on flash: a crash would replay (backend is idempotent)
    ob.ack(3)
    ob.ack(4)
    assert not ob.has_unsaved()


def test_clear_forgets_waiting():
    d = fresh_dir()
    ob = Outbox(d, 8)
    for i in range(3):
        add(ob, i)
    assert ob.clear() == 3
    assert Outbox(d, 8).depth() == 0


def test_corrupt_slot_is_ignored():
    d = fresh_dir()
    ob = Outbox(d, 8)
    add(ob, 1)
    ob.close()
    with open(d + "/outbox.bin", "r+b") as f:
        f.seek(1 * 36 + 10)
        f.write(b"\xff")
    ob2 = Outbox(d, 8)
    assert ob2.get(1) is None
