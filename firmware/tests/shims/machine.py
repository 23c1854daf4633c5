"""Test shim for `machine` on the unix port: Pin/SPI/PWM/WDT/RTC wired to the simulator (simctl)."""

import sys

import simctl
from rc522_chip import FakeSPI
from umachine import *  # noqa: F401,F403


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2

    def __init__(self, pin_id, mode=-1, pull=-1, value=None):
        self.id = pin_id
        self._v = -1
        if value is not None:
            self.value(value)

    def value(self, v=None):
        if v is None:
            return max(self._v, 0)
        v = 1 if v else 0
        if v != self._v:
            self._v = v
            simctl.pin(self.id, v)
        return None

    def __call__(self, v=None):
        return self.value(v)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class SPI:
    def __init__(
        self, spi_id, baudrate=1000000, polarity=0, phase=0, sck=None, mosi=None, miso=None
    ):
        self._bus = FakeSPI(simctl.chip())

    def write_readinto(self, tx, rx):
        simctl.maybe_poll()
        self._bus.write_readinto(tx, rx)

    def write(self, tx):
        self._bus.write(tx)

    def readinto(self, buf, write=0):
        self._bus.readinto(buf, write)

    def deinit(self):
        pass


class PWM:
    def __init__(self, pin, freq=1000, duty_u16=0):
        self._pin = pin.id
        self._freq = freq
        self._duty = duty_u16

    def freq(self, f=None):
        if f is None:
            return self._freq
        self._freq = f
        return None

    def duty_u16(self, d=None):
        if d is None:
            return self._duty
        if d != self._duty:
            self._duty = d
            simctl.emit({"pwm": self._pin, "freq": self._freq if d else 0})
        return None

    def deinit(self):
        pass


class WDT:
    def __init__(self, id=0, timeout=5000):
        simctl.emit({"wdt": timeout})

    def feed(self):
        simctl.wdt_feeds += 1
        simctl.maybe_poll()


class RTC:
    def datetime(self, dt=None):
        return (2026, 1, 1, 3, 0, 0, 0, 0)


def unique_id():
    return b"\x24\x6f\x28\xa1\xb2\xc3"


def reset():
    simctl.emit({"reset": 1})
    sys.exit(75)
