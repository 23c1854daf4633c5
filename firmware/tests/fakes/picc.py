"""Models ISO 14443-3 type A cards in the RF field: states, REQA/WUPA, bit-level anticollision, SELECT, HLTA."""

from micropython import const

# Card states (ISO 14443-3 §6.2)
_IDLE = const(0)
_READY = const(1)
_ACTIVE = const(2)
_HALT = const(3)


def crc_a(data, n):
    crc = 0x6363
    for i in range(n):
        b = (data[i] ^ crc) & 0xFF
        b = (b ^ (b << 4)) & 0xFF
        crc = ((crc >> 8) ^ (b << 8) ^ (b << 3) ^ (b >> 4)) & 0xFFFF
    return crc


class Card:
    """One card: UID of 4, 7 or 10 bytes, final SAK, and how many selections before it leaves."""

    def __init__(self, uid, sak=None, selects_left=-1, mute_selects=0, bad_bcc=False):
        self.uid = bytes(uid)
        n = len(self.uid)
        self.sak = sak if sak is not None else (0x08 if n == 4 else 0x00)
        self.atqa = {4: 0x0004, 7: 0x0044, 10: 0x0084}[n]
        self.levels = []
        if n == 4:
            parts = [self.uid]
        elif n == 7:
            parts = [b"\x88" + self.uid[0:3], self.uid[3:7]]
        else:
            parts = [b"\x88" + self.uid[0:3], b"\x88" + self.uid[3:6], self.uid[6:10]]
        for p in parts:
            bcc = p[0] ^ p[1] ^ p[2] ^ p[3] ^ (0xFF if bad_bcc else 0)
            self.levels.append(bytes(p) + bytes([bcc]))
        self.state = _IDLE
        self.level = 0
        self.selects_left = selects_left  # -1: stays until removed
        self.mute_selects = mute_selects  # ignore this many SELECTs (flaky card)
        self.selected = 0

    def bit(self, level, i):
        return (self.levels[level][i >> 3] >> (i & 7)) & 1


class Field:
    """The cards currently in the reader's field; `transceive` answers one frame like the air would."""

    def __init__(self):
        self.cards = []
        self.frames = []  # (bytes, tx_last_bits) sent by the reader, for byte-exact tests
        self.record = False
        self.on_select = None

    def transceive(self, frame, tx_last):
        """Return (response bytes, rx_last_bits, collision position 1..40 or 0) or None (silence)."""
        if self.record:
            self.frames.append((bytes(frame), tx_last))
        self.cards = [c for c in self.cards if c.selects_left != 0]  # cards that left
        if not frame:
            return None
        cmd = frame[0]
        if tx_last == 7 and len(frame) == 1 and cmd in (0x26, 0x52):
            return self._request(cmd == 0x52)
        if cmd == 0x50 and len(frame) == 4 and tx_last == 0:
            if crc_a(frame, 2) == frame[2] | (frame[3] << 8):
                for c in self.cards:
                    if c.state == _ACTIVE:
                        c.state = _HALT
            return None
        if cmd in (0x93, 0x95, 0x97) and len(frame) >= 2:
            level = (cmd - 0x93) >> 1
            if frame[1] == 0x70:
                return self._select(frame, tx_last, level)
            return self._anticoll(frame, tx_last, level)
        for c in self.cards:
            c.state = _IDLE
        return None

    def _request(self, wake):
        resp = []
        for c in self.cards:
            if c.state != _HALT or wake:
                c.state = _READY
                c.level = 0
                resp.append(c)
        if not resp:
            return None
        atqa = resp[0].atqa
        coll = 0
        for c in resp[1:]:
            if c.atqa != atqa:
                diff = c.atqa ^ atqa
                i = 0
                while not (diff >> i) & 1:
                    i += 1
                coll = i + 1
                break
        return (bytes([atqa & 0xFF, atqa >> 8]), 0, coll)

    def _anticoll(self, frame, tx_last, level):
        nvb = frame[1]
        known = ((nvb >> 4) - 2) * 8 + (nvb & 0x0F)
        if (nvb & 0x0F) != tx_last or known < 0 or known >= 40:
            return None
        expected_len = 2 + (known >> 3) + (1 if known & 7 else 0)
        if len(frame) != expected_len:
            return None
        resp = []
        for c in self.cards:
            if c.state != _READY or c.level != level or len(c.levels) <= level:
                continue
            ok = True
            for i in range(known):
                if c.bit(level, i) != (frame[2 + (i >> 3)] >> (i & 7)) & 1:
                    ok = False
                    break
            if ok:
                resp.append(c)
        if not resp:
            return None
        coll = 0
        for i in range(known, 40):
            b = resp[0].bit(level, i)
            if any(c.bit(level, i) != b for c in resp[1:]):
                coll = i + 1
                break
        first = known >> 3
        return (resp[0].levels[level][first:5], 0, coll)

    def _select(self, frame, tx_last, level):
        if len(frame) != 9 or tx_last != 0 or crc_a(frame, 7) != frame[7] | (frame[8] << 8):
            return None
        winner = None
        for c in self.cards:
            if c.state == _READY and c.level == level and c.levels[level] == bytes(frame[2:7]):
                winner = c
            elif c.state in (_READY, _ACTIVE):
                c.state = _IDLE
        if winner is None:
            return None
        if winner.mute_selects > 0:
            winner.mute_selects -= 1
            return None
        final = level == len(winner.levels) - 1
        sak = winner.sak if final else 0x04
        if final:
            winner.state = _ACTIVE
            winner.selected += 1
            if self.on_select is not None:
                self.on_select(winner)
            if winner.selects_left > 0:
                winner.selects_left -= 1
        else:
            winner.level = level + 1
        crc = crc_a(bytes([sak]), 1)
        return (bytes([sak, crc & 0xFF, crc >> 8]), 0, 0)
