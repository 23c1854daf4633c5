"""Emulates the MFRC522 at register level behind a fake SPI bus: FIFO, Transceive, IRQ/error bits, faults."""

from micropython import const
from picc import Field, crc_a

# Register reset values (datasheet §9.3) as (register, value) byte pairs.
_DEFAULTS = const(b"\x01\x20\x02\x80\x04\x14\x0c\x10\x11\x3f\x14\x80\x26\x48")


class Chip:
    """Register file and command engine; faults: crypto stuck, antenna off, hang, timeouts."""

    def __init__(self, version=0x92, cs_pin=5, rst_pin=22):
        self.version = version
        self.cs_pin = cs_pin
        self.rst_pin = rst_pin
        self.field = Field()
        self.cs_low = False
        self.rst_high = True
        self.hung = False
        self.crypto_stuck = False
        self.timeouts = 0
        self.soft_resets = 0
        self.hard_resets = 0
        self.log = None  # list of ("w"|"r", reg, value) when recording
        self._addr = None
        self._reset_regs()

    def _reset_regs(self):
        self.regs = bytearray(64)
        for i in range(0, len(_DEFAULTS), 2):
            self.regs[_DEFAULTS[i]] = _DEFAULTS[i + 1]
        self.regs[0x37] = self.version
        self.fifo = bytearray()

    # --- pins -------------------------------------------------------------------------------
    def pin(self, pin_id, value):
        if pin_id == self.cs_pin:
            self.cs_low = not value
            self._addr = None
        elif pin_id == self.rst_pin:
            if not value:
                self.rst_high = False
            elif not self.rst_high:
                self.rst_high = True
                self.hard_resets += 1
                self.hung = False
                self.crypto_stuck = False
                self._reset_regs()

    # --- SPI --------------------------------------------------------------------------------
    def xfer(self, tx, rx):
        """Clock `tx` out and fill `rx` (may be None) as the chip would during one CS-low window."""
        for i in range(len(tx)):
            out = 0xFF
            if self.cs_low and self.rst_high:
                out = 0
                b = tx[i]
                if self._addr is None:
                    self._addr = b
                elif self._addr & 0x80:
                    out = 0 if self.hung else self.read_reg((self._addr >> 1) & 0x3F)
                    self._addr = b
                elif not self.hung:
                    self.write_reg((self._addr >> 1) & 0x3F, b)
            if rx is not None:
                rx[i] = out

    def read_reg(self, reg):
        if reg == 0x09:
            v = self.fifo[0] if self.fifo else 0
            self.fifo = self.fifo[1:]
        elif reg == 0x0A:
            v = len(self.fifo)
        elif reg == 0x08:
            v = self.regs[reg] | (0x08 if self.crypto_stuck else 0)
        else:
            v = self.regs[reg]
        if self.log is not None:
            self.log.append(("r", reg, v))
        return v

    def write_reg(self, reg, v):
        if self.log is not None:
            self.log.append(("w", reg, v))
        regs = self.regs
        if reg == 0x01:
            cmd = v & 0x0F
            regs[reg] = v & 0x30 | cmd
            if cmd == 0x0F:
                self.soft_resets += 1
                self.crypto_stuck = False
                self._reset_regs()
            elif cmd == 0x03:
                crc = crc_a(self.fifo, len(self.fifo))
                regs[0x22], regs[0x21] = crc & 0xFF, crc >> 8
                regs[0x05] |= 0x04
                regs[0x01] = 0
        elif reg == 0x04:
            if v & 0x80:
                regs[reg] |= v & 0x7F
            else:
                regs[reg] &= ~v & 0x7F
        elif reg == 0x05:
            if v & 0x80:
                regs[reg] |= v & 0x7F
            else:
                regs[reg] &= ~v & 0x7F
        elif reg == 0x09:
            if len(self.fifo) >= 64:
                regs[0x06] |= 0x10
            else:
                self.fifo.append(v)
        elif reg == 0x0A:
            if v & 0x80:
                self.fifo = bytearray()
                regs[0x06] &= ~0x10
        elif reg == 0x0D:
            regs[reg] = v & 0x7F
            if v & 0x80 and regs[0x01] & 0x0F == 0x0C:
                self._transmit(v & 0x07, (v >> 4) & 0x07)
        elif reg in (0x06, 0x0A, 0x37):
            pass
        else:
            regs[reg] = v

    def _transmit(self, tx_last, rx_align):
        regs = self.regs
        frame = bytes(self.fifo)
        self.fifo = bytearray()
        regs[0x06] = 0
        regs[0x0E] = 0xA0
        regs[0x0C] = regs[0x0C] & 0xF8
        regs[0x04] |= 0x40  # TxIRq
        antenna = regs[0x14] & 0x03 == 0x03
        resp = None
        if rx_align != tx_last:
            resp = None  # misaligned reception: garbage for any real frame
        elif antenna and not self.crypto_stuck:
            if self.timeouts > 0:
                self.timeouts -= 1
                self.field.transceive(frame, tx_last)  # the card still hears it
            else:
                resp = self.field.transceive(frame, tx_last)
        if resp is None:
            regs[0x04] |= 0x01  # TimerIRq
            return
        data, last_bits, coll = resp
        self.fifo = bytearray(data)
        regs[0x0C] = (regs[0x0C] & 0xF8) | last_bits
        regs[0x04] |= 0x30  # RxIRq | IdleIRq
        if coll:
            regs[0x06] |= 0x08
            regs[0x04] |= 0x02
            regs[0x0E] = coll & 0x1F

    # --- faults -----------------------------------------------------------------------------
    def fault(self, name, arg=0):
        if name == "crypto":
            self.crypto_stuck = True
        elif name == "antenna":
            self.regs[0x14] &= ~0x03
        elif name == "hang":
            self.hung = True
        elif name == "timeout":
            self.timeouts = arg or 1
        elif name == "brownout":
            self._reset_regs()
        else:
            raise ValueError("unknown fault " + name)


class FakeSPI:
    """A machine.SPI stand-in wired to one Chip."""

    def __init__(self, chip):
        self.chip = chip
        self.traffic = None  # list of (tx bytes, rx bytes) when recording

    def write_readinto(self, tx, rx):
        self.chip.xfer(tx, rx)
        if self.traffic is not None:
            self.traffic.append((bytes(tx), bytes(rx)))

    def write(self, tx):
        self.chip.xfer(tx, None)
        if self.traffic is not None:
            self.traffic.append((bytes(tx), None))
