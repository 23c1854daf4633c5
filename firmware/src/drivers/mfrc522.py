"""Drives an MFRC522 over an injected SPI bus: registers, Transceive, resets, rx gain, health (datasheet §8-9)."""

import time

from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

# Registers (MFRC522 datasheet §9.2).
_COMMAND = const(0x01)
_COM_IRQ = const(0x04)
_ERROR = const(0x06)
_STATUS2 = const(0x08)
_FIFO_DATA = const(0x09)
_FIFO_LEVEL = const(0x0A)
_CONTROL = const(0x0C)
_BIT_FRAMING = const(0x0D)
_COLL = const(0x0E)
_MODE = const(0x11)
_TX_CONTROL = const(0x14)
_TX_ASK = const(0x15)
_RF_CFG = const(0x26)
_T_MODE = const(0x2A)
_T_PRESCALER = const(0x2B)
_T_RELOAD_H = const(0x2C)
_T_RELOAD_L = const(0x2D)
_VERSION = const(0x37)

# Commands (§10.3).
_CMD_IDLE = const(0x00)
_CMD_TRANSCEIVE = const(0x0C)
_CMD_SOFT_RESET = const(0x0F)
_POWER_DOWN = const(0x10)

# Transceive outcomes.
OK = const(0)
TIMEOUT = const(1)
COLLISION = const(2)
ERROR = const(3)
NO_CHIP = const(4)

# Health problems (bit set), as Tasmota's RC522 watchdog checks them.
BAD_VERSION = const(1)
ANTENNA_OFF = const(2)
CRYPTO_STUCK = const(4)

_KNOWN_VERSIONS = const(b"\x88\x90\x91\x92\x12\xb2")  # VersionReg values of real chips
_FIFO_SIZE = const(64)
_IRQ_POLLS = const(60)  # bounded busy-wait; the 2.5 ms chip timer fires well before


class MFRC522:
    """Register-level access to one MFRC522; `spi`, `cs` and `rst` come from the hardware layer."""

    def __init__(self, spi: "Any", cs: "Any", rst: "Any") -> None:
        self._spi = spi
        self._cs = cs
        self._rst = rst

        self._tx = bytearray(_FIFO_SIZE + 1)
        self._rx = bytearray(_FIFO_SIZE + 1)
        self._tx2 = memoryview(self._tx)[:2]
        self._rx2 = memoryview(self._rx)[:2]
        self.fifo = bytearray(_FIFO_SIZE)
        self.rx_len = 0
        self.rx_last_bits = 0
        self.coll_pos = 0
        self.version = 0

    def read(self, reg: int) -> int:
        """Read one register (address byte 1RRRRRR0)."""
        self._tx[0] = 0x80 | (reg << 1)
        self._tx[1] = 0
        self._cs(0)
        self._spi.write_readinto(self._tx2, self._rx2)
        self._cs(1)
        return self._rx[1]

    def write(self, reg: int, value: int) -> None:
        """Write one register (address byte 0RRRRRR0)."""
        self._tx[0] = (reg << 1) & 0x7E
        self._tx[1] = value
        self._cs(0)
        self._spi.write(self._tx2)
        self._cs(1)

    def _write_fifo(self, data: "Any", n: int) -> None:
        tx = self._tx
        tx[0] = (_FIFO_DATA << 1) & 0x7E
        for i in range(n):
            tx[i + 1] = data[i]
        self._cs(0)
        self._spi.write(memoryview(tx)[: n + 1])
        self._cs(1)

    def _read_fifo(self, n: int) -> None:
        tx = self._tx
        addr = 0x80 | (_FIFO_DATA << 1)
        for i in range(n):
            tx[i] = addr
        tx[n] = 0
        self._cs(0)
        self._spi.write_readinto(memoryview(tx)[: n + 1], memoryview(self._rx)[: n + 1])
        self._cs(1)
        fifo = self.fifo
        rx = self._rx
        for i in range(n):
            fifo[i] = rx[i + 1]

    def soft_reset(self) -> bool:
        """Issue SoftReset and wait for PowerDown to clear; True when the chip came back."""
        self.write(_COMMAND, _CMD_SOFT_RESET)
        for _ in range(10):
            time.sleep_ms(5)
            if not self.read(_COMMAND) & _POWER_DOWN:
                return True
        return False

    def hard_reset(self) -> None:
        """Pulse NRSTPD low, then wait for the oscillator start-up (§8.8.2)."""
        self._rst(0)
        time.sleep_ms(2)
        self._rst(1)
        time.sleep_ms(50)

    def init(self, rx_gain: int) -> bool:
        """Soft-reset and configure timer, ASK, CRC preset, antenna and gain; False if no chip answers."""
        if not self.soft_reset():
            return False
        self.version = self.read(_VERSION)
        if self.version not in _KNOWN_VERSIONS:
            return False
        self.write(_T_MODE, 0x80)  # TAuto: timer starts at the end of transmission
        self.write(_T_PRESCALER, 0xA9)  # 13.56 MHz / (2*169+1) -> 25 us ticks
        self.write(_T_RELOAD_H, 0)  # reload 100 ticks of 25 us: a 2.5 ms receive timeout
        self.write(_T_RELOAD_L, 100)
        self.write(_TX_ASK, 0x40)  # force 100 % ASK modulation
        self.write(_MODE, 0x3D)  # CRC preset 0x6363 (ISO 14443-3)
        self.set_rx_gain(rx_gain)
        tx = self.read(_TX_CONTROL)
        if tx & 0x03 != 0x03:
            self.write(_TX_CONTROL, tx | 0x03)  # antenna drivers TX1 and TX2 on
        return True

    def set_rx_gain(self, gain: int) -> None:
        """Set RFCfgReg RxGain (0..7: 18..48 dB; 4 = 33 dB, the chip default)."""
        self.write(_RF_CFG, (gain & 0x07) << 4)

    def stop_crypto(self) -> None:
        """Clear Status2Reg.MFCrypto1On."""
        self.write(_STATUS2, self.read(_STATUS2) & ~0x08)

    def health(self) -> int:
        """Return 0 when VersionReg, TxControlReg and Status2Reg look right, else problem bits."""
        problems = 0
        version = self.read(_VERSION)
        if version not in _KNOWN_VERSIONS or (self.version and version != self.version):
            problems |= BAD_VERSION
        if self.read(_TX_CONTROL) & 0x03 != 0x03:
            problems |= ANTENNA_OFF
        if self.read(_STATUS2) & 0x08:
            problems |= CRYPTO_STUCK
        return problems

    def transceive(self, data: "Any", n: int, tx_last_bits: int = 0) -> int:
        """Send `n` bytes of `data` (last byte `tx_last_bits` wide) and receive into `fifo`."""
        self.write(_COMMAND, _CMD_IDLE)
        self.write(_COM_IRQ, 0x7F)  # clear every IRQ bit
        self.write(_FIFO_LEVEL, 0x80)  # flush
        self._write_fifo(data, n)
        # RxAlign = TxLastBits so the first received bit lands right after the last sent one.
        framing = (tx_last_bits << 4) | tx_last_bits
        self.write(_BIT_FRAMING, framing)
        self.write(_COMMAND, _CMD_TRANSCEIVE)
        self.write(_BIT_FRAMING, framing | 0x80)  # StartSend
        irq = 0
        for _ in range(_IRQ_POLLS):
            irq = self.read(_COM_IRQ)
            if irq & 0x31:  # RxIRq | IdleIRq | TimerIRq
                break
        else:
            self.write(_COMMAND, _CMD_IDLE)
            return NO_CHIP
        self.write(_BIT_FRAMING, framing)
        self.rx_len = 0
        if irq & 0x01 and not irq & 0x30:
            return TIMEOUT
        err = self.read(_ERROR)
        if err & 0x13:  # BufferOvfl | ParityErr | ProtocolErr
            return ERROR
        level = self.read(_FIFO_LEVEL) & 0x7F
        if level > _FIFO_SIZE:
            return ERROR
        self.rx_last_bits = self.read(_CONTROL) & 0x07
        self._read_fifo(level)
        self.rx_len = level
        if err & 0x08:  # CollErr
            pos = self.read(_COLL)
            if pos & 0x20:  # CollPosNotValid
                self.coll_pos = 0
            else:
                self.coll_pos = (pos & 0x1F) or 32
            return COLLISION
        return OK
