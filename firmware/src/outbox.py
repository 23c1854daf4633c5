"""Keeps scans in a bounded ring on flash until the broker acknowledges them (seq persisted, oldest dropped)."""

import json
import os
import struct

import log
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

# magic, uid_len, ts_src (1 = ntp), flags, seq, mono_ms, ts_ms, boot_id (4 bytes), uid (10 bytes), sum
_FMT = const("<BBBBIIq4s10sH")
_REC_SIZE = const(36)  # struct.calcsize(_FMT); the unit tests check both
_MAGIC = const(0xA5)


def _checksum(buf: "Any", n: int) -> int:
    s = 0
    for i in range(n):
        s = (s + buf[i] * (i + 1)) & 0xFFFF
    return s


class Record:
    """One stored scan, decoded from its slot (reused; copy what you keep)."""

    def __init__(self) -> None:
        self.seq = 0
        self.uid = b""
        self.uid_len = 0
        self.ts_ms = -1
        self.ntp = False
        self.mono_ms = 0
        self.boot_id = b""


class Outbox:
    """Slot `seq % capacity` holds scan `seq`; only the acknowledged-up-to seq lives in outbox.json.

    A tap costs one 36-byte write. Acknowledgements are coalesced (every `flush_acks` acks or
    `flush_ms`), so a crash may replay a few already delivered scans: the backend is idempotent
    on event_id (mqtt-contract.md), so that trades a duplicate for flash wear on purpose.
    """

    def __init__(self, data_dir: str, capacity: int, flush_acks: int = 16) -> None:
        self._bin = data_dir + "/outbox.bin"
        self._meta = data_dir + "/outbox.json"
        self.capacity = capacity
        self._flush_acks = flush_acks
        self._buf = bytearray(_REC_SIZE)
        self._rec = Record()
        self.next_seq = 1
        self.acked = 0
        self.dropped = 0
        self._ahead: "list[int]" = []
        self._unsaved = 0
        try:
            os.stat(data_dir)
        except OSError:
            os.mkdir(data_dir)
        meta = {}
        try:
            with open(self._meta) as f:
                meta = json.load(f)
        except (OSError, ValueError):
            pass
        if type(meta) is not dict:
            meta = {}
        self.acked = _int(meta.get("acked"), 0)
        self.dropped = _int(meta.get("dropped"), 0)
        self.next_seq = max(_int(meta.get("next"), 1), self.acked + 1)
        size = -1
        try:
            size = os.stat(self._bin)[6]
        except OSError:
            pass
        if size != self.capacity * _REC_SIZE:
            if size >= 0:
                log.warn("outbox", "outbox_resized", "old_bytes=%d" % size)
            with open(self._bin, "wb") as f:
                zero = bytes(_REC_SIZE)
                for _ in range(self.capacity):
                    f.write(zero)
        self._f = open(self._bin, "r+b")
        top = 0
        for slot in range(self.capacity):
            if self._read_slot(slot) and self._rec.seq > top:
                top = self._rec.seq
        if top + 1 > self.next_seq:
            self.next_seq = top + 1
        log.info(
            "outbox",
            "outbox_open",
            "next_seq=%d depth=%d dropped=%d" % (self.next_seq, self.depth(), self.dropped),
        )

    def _read_slot(self, slot: int) -> bool:
        f = self._f
        f.seek(slot * _REC_SIZE)
        if f.readinto(self._buf) != _REC_SIZE:
            return False
        buf = self._buf
        if buf[0] != _MAGIC:
            return False
        fields = struct.unpack(_FMT, buf)
        if fields[9] != _checksum(buf, _REC_SIZE - 2):
            return False
        r = self._rec
        r.uid_len = fields[1]
        r.ntp = fields[2] == 1
        r.seq = fields[4]
        r.mono_ms = fields[5]
        r.ts_ms = fields[6]
        r.boot_id = fields[7]
        r.uid = fields[8]
        return True

    # -- queue -------------------------------------------------------------------------------
    def first(self) -> int:
        """Return the oldest seq not yet acknowledged (== next_seq when empty)."""
        low = self.next_seq - self.capacity
        return self.acked + 1 if self.acked + 1 > low else low

    def depth(self) -> int:
        """Return how many scans wait for delivery."""
        return self.next_seq - self.first()

    def append(
        self, uid: "Any", uid_len: int, ts_ms: int, ntp: bool, mono_ms: int, boot_id: bytes
    ) -> int:
        """Store one scan and return its seq; when full the oldest waiting scan is dropped."""
        seq = self.next_seq
        if self.depth() >= self.capacity:
            self.dropped += 1
            self._unsaved += self._flush_acks  # force the counter out soon
            log.warn("outbox", "outbox_drop", "seq=%d dropped=%d" % (self.first(), self.dropped))
        buf = self._buf
        struct.pack_into(
            _FMT,
            buf,
            0,
            _MAGIC,
            uid_len,
            1 if ntp else 0,
            0,
            seq,
            mono_ms & 0xFFFFFFFF,
            ts_ms,
            boot_id,
            bytes(uid[:uid_len]),
            0,
        )
        struct.pack_into("<H", buf, _REC_SIZE - 2, _checksum(buf, _REC_SIZE - 2))
        f = self._f
        f.seek((seq % self.capacity) * _REC_SIZE)
        f.write(buf)
        f.flush()
        self.next_seq = seq + 1
        return seq

    def get(self, seq: int) -> "Record | None":
        """Return the stored record of `seq` (reused object) or None if it is gone."""
        if seq < self.first() or seq >= self.next_seq:
            return None
        if not self._read_slot(seq % self.capacity) or self._rec.seq != seq:
            return None
        return self._rec

    def ack(self, seq: int) -> None:
        """Mark `seq` delivered; the acknowledged mark advances over contiguous seqs."""
        if seq <= self.acked:
            return
        if seq != self.acked + 1 and seq > self.first():
            if seq not in self._ahead:
                self._ahead.append(seq)
            return
        self.acked = seq
        self._unsaved += 1
        ahead = self._ahead
        while self.acked + 1 in ahead:
            ahead.remove(self.acked + 1)
            self.acked += 1
            self._unsaved += 1
        if self._unsaved >= self._flush_acks or self.depth() == 0:
            self.save()

    def has_unsaved(self) -> bool:
        """Return True when acknowledgements or counters are not on flash yet."""
        return self._unsaved > 0

    def save(self) -> None:
        """Write the acknowledged mark and counters atomically."""
        tmp = self._meta + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"acked": self.acked, "dropped": self.dropped, "next": self.next_seq}, f)
        try:
            os.rename(tmp, self._meta)
        except OSError:
            os.remove(self._meta)
            os.rename(tmp, self._meta)
        self._unsaved = 0

    def clear(self) -> int:
        """Forget every waiting scan (remote clear_outbox); return how many were dropped."""
        n = self.depth()
        self.acked = self.next_seq - 1
        self._ahead = []
        self.save()
        return n

    def close(self) -> None:
        """Save pending counters and close the slot file."""
        if self._unsaved:
            self.save()
        self._f.close()


def _int(value: "Any", default: int) -> int:
    return value if type(value) is int and value >= 0 else default
