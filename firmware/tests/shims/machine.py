"""Test shim for `machine` on the unix port: Pin/SPI/PWM/WDT wired to the simulator (simctl).

Only what hal/esp32.py uses, kept small: the simulator shares the firmware's heap.
"""

import sys

import simctl
from rc522_chip import FakeSPI


class Pin:
    OUT = 1

    def __init__(self, pin_id, *mode, value=None):
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


class SPI(FakeSPI):
    def __init__(self, *args, **kw):
        FakeSPI.__init__(self, simctl.chip())

    def write_readinto(self, tx, rx):
        simctl.maybe_poll()
        FakeSPI.write_readinto(self, tx, rx)


class PWM:
    def __init__(self, pin, freq=1000, duty_u16=0):
        self.id = pin.id
        self._freq = freq
        self._v = duty_u16

    def freq(self, f=None):
        if f is None:
            return self._freq
        self._freq = f
        return None

    def duty_u16(self, d=None):
        if d is None:
            return self._v
        if d != self._v:
            self._v = d
            simctl.emit({"pwm": self.id, "freq": self._freq if d else 0})
        return None


class WDT:
    def __init__(self, id=0, timeout=5000):
        simctl.emit({"wdt": timeout})

    def feed(self):
        simctl.wdt_feeds += 1
        simctl.maybe_poll()


def reset():
    simctl.emit({"reset": 1})
    sys.exit(75)
