"""Test shim for `ntptime`: succeeds or fails on command (`ntp ok|fail`); the unix clock is already right."""

import simctl

host = "pool.ntp.org"
timeout = 1


def settime():
    simctl.maybe_poll()
    if not simctl.ntp_ok:
        raise OSError(110)
    simctl.emit({"ntp": host})
