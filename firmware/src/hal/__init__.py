"""Picks the hardware layer for this platform at start-up (nothing touches hardware on import)."""

import sys

from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any


def load() -> "Any":
    """Return the Hardware class for this platform.

    On the unix port the same ESP32 layer runs against test shims for `machine`, `network`
    and `ntptime` that come first on MICROPYPATH (firmware/tests/shims).
    """
    if sys.platform in ("esp32", "linux"):
        from hal.esp32 import Hardware

        return Hardware
    raise OSError("no hardware layer for platform " + sys.platform)
