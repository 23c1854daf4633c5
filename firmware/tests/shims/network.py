"""Test shim for `network`: a WLAN whose link state the test switches with `wifi up|down`."""

import simctl

STA_IF = 0


class WLAN:
    def __init__(self, *interface):
        self._active = False
        self._wanted = False

    def active(self, v=None):
        if v is None:
            return self._active
        self._active = bool(v)
        return None

    def connect(self, *ssid_key):
        self._wanted = True

    def disconnect(self):
        self._wanted = False

    def isconnected(self):
        simctl.maybe_poll()
        return self._active and self._wanted and simctl.wifi_up

    def status(self, *param):
        if param:
            return -55  # "rssi"
        return 1010 if self.isconnected() else 1000

    def ifconfig(self, *cfg):
        return ("127.0.0.1", "255.0.0.0", "127.0.0.1", "127.0.0.1")

    def config(self, *key):
        return b"\x24\x6f\x28\xa1\xb2\xc3"  # "mac", the only key the firmware asks for
