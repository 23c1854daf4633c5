"""Selects ISO 14443-3 type A cards through an MFRC522: REQA/WUPA, cascade levels 1-3, BCC, HLTA."""

from micropython import const

from drivers import mfrc522

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from drivers.mfrc522 import MFRC522

_REQA = const(0x26)
_WUPA = const(0x52)
_HLTA = const(0x50)
_CT = const(0x88)  # cascade tag (ISO 14443-3 §6.5.4)
_SAK_CASCADE = const(0x04)
_SEL = const(b"\x93\x95\x97")  # SEL codes of cascade levels 1-3

OK = mfrc522.OK
NO_CARD = const(1)
COLLISION = mfrc522.COLLISION
ERROR = mfrc522.ERROR
NO_CHIP = mfrc522.NO_CHIP
BAD_BCC = const(5)
BAD_CRC = const(6)


def crc_a(data: "bytearray | memoryview", n: int) -> int:
    """Return CRC_A (ISO 14443-3 Annex B: preset 0x6363, reflected poly 0x8408) of `n` bytes."""
    crc = 0x6363
    for i in range(n):
        b = (data[i] ^ crc) & 0xFF
        b = (b ^ (b << 4)) & 0xFF
        crc = ((crc >> 8) ^ (b << 8) ^ (b << 3) ^ (b >> 4)) & 0xFFFF
    return crc


class CardSelector:
    """Wakes, selects and halts cards; the last UID is in `uid[:uid_len]`, its SAK in `sak`."""

    def __init__(self, chip: "MFRC522") -> None:
        self._chip = chip
        self._buf = bytearray(9)
        self.uid = bytearray(10)
        self.uid_len = 0
        self.sak = 0
        self.atqa = 0

    def _short_frame(self, cmd: int) -> int:
        buf = self._buf
        buf[0] = cmd
        chip = self._chip
        st = chip.transceive(buf, 1, 7)
        if st == mfrc522.TIMEOUT:
            return NO_CARD
        if st == mfrc522.COLLISION:
            return COLLISION  # several cards answered: one is there, anticollision sorts it out
        if st != OK:
            return st
        if chip.rx_len != 2 or chip.rx_last_bits:
            return ERROR
        self.atqa = chip.fifo[0] | (chip.fifo[1] << 8)
        return OK

    def request(self) -> int:
        """Send REQA (7-bit frame); OK or COLLISION when an idle card answered."""
        return self._short_frame(_REQA)

    def wake(self) -> int:
        """Send WUPA (7-bit frame); also wakes halted cards, which lets us see a card held in place."""
        return self._short_frame(_WUPA)

    def halt(self) -> None:
        """Send HLTA; a card acknowledges nothing (a timeout is success)."""
        buf = self._buf
        buf[0] = _HLTA
        buf[1] = 0
        crc = crc_a(buf, 2)
        buf[2] = crc & 0xFF
        buf[3] = crc >> 8
        self._chip.transceive(buf, 4, 0)

    def _merge(self, index: int, rx_align: int) -> None:
        buf = self._buf
        fifo = self._chip.fifo
        n = self._chip.rx_len
        if index + n > 7:
            n = 7 - index
        for i in range(n):
            if i == 0 and rx_align:
                mask = (0xFF << rx_align) & 0xFF
                buf[index] = (buf[index] & ~mask & 0xFF) | (fifo[0] & mask)
            else:
                buf[index + i] = fifo[i]

    def _anticollision(self, level: int) -> int:
        """Resolve one cascade level's 4 UID bytes + BCC into buf[2:7] (§6.5.3)."""
        buf = self._buf
        chip = self._chip
        buf[0] = _SEL[level]
        known = 0
        for _ in range(33):  # each collision adds at least one known bit
            tx_last = known & 7
            index = 2 + (known >> 3)
            buf[1] = (index << 4) | tx_last  # NVB: whole bytes sent, then extra bits
            st = chip.transceive(buf, index + (1 if tx_last else 0), tx_last)
            if st == mfrc522.TIMEOUT:
                return NO_CARD
            if st == COLLISION:
                pos = chip.coll_pos
                if pos <= known or pos > 32:
                    return COLLISION
                self._merge(index, tx_last)
                known = pos
                bit = known - 1
                # Take the branch whose colliding bit is 1 (any fixed choice works).
                buf[2 + (bit >> 3)] |= 1 << (bit & 7)
                continue
            if st != OK:
                return st
            if chip.rx_len != 5 - (known >> 3):
                return ERROR
            self._merge(index, tx_last)
            if buf[2] ^ buf[3] ^ buf[4] ^ buf[5] != buf[6]:
                return BAD_BCC
            return OK
        return COLLISION

    def _select_level(self, level: int) -> int:
        buf = self._buf
        chip = self._chip
        buf[0] = _SEL[level]
        buf[1] = 0x70
        buf[6] = buf[2] ^ buf[3] ^ buf[4] ^ buf[5]
        crc = crc_a(buf, 7)
        buf[7] = crc & 0xFF
        buf[8] = crc >> 8
        st = chip.transceive(buf, 9, 0)
        if st == mfrc522.TIMEOUT:
            return NO_CARD
        if st != OK:
            return st
        fifo = chip.fifo
        if chip.rx_len != 3 or chip.rx_last_bits:
            return ERROR
        if crc_a(fifo, 1) != fifo[1] | (fifo[2] << 8):
            return BAD_CRC
        self.sak = fifo[0]
        return OK

    def select(self) -> int:
        """Run anticollision + SELECT for up to three cascade levels; UID in `uid[:uid_len]`."""
        buf = self._buf
        uid = self.uid
        n = 0
        self.uid_len = 0
        for level in range(3):
            st = self._anticollision(level)
            if st != OK:
                return st
            st = self._select_level(level)
            if st != OK:
                return st
            # The SAK cascade bit, not uid[0] == 0x88, says whether more levels follow.
            if self.sak & _SAK_CASCADE:
                if buf[2] != _CT:
                    return ERROR
                uid[n] = buf[3]
                uid[n + 1] = buf[4]
                uid[n + 2] = buf[5]
                n += 3
            else:
                uid[n] = buf[2]
                uid[n + 1] = buf[3]
                uid[n + 2] = buf[4]
                uid[n + 3] = buf[5]
                self.uid_len = n + 4
                return OK
        return ERROR
