"""Holds the running configuration and saves config.json (loading: config_io; keys: config_schema)."""

import json
import os
import sys

from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

SCHEMA = const(1)


class Config:
    """A validated configuration: every key is an attribute (`cfg.poll_ms`).

    Attributes rather than a dict: their names are interned once, shared with the code that
    reads them, where a dict loaded from config_schema would keep its own copy of every key.
    """

    def __init__(self, values: dict) -> None:
        self.update(values)

    if TYPE_CHECKING:  # for mypy only: keys are set with setattr

        def __getattr__(self, name: str) -> "Any": ...

    def values(self) -> dict:
        """Return a copy of every key with its value (secrets included; never log this)."""
        return dict(self.__dict__)  # __dict__ is a read-only copy already

    def update(self, changes: dict) -> None:
        """Apply checked `changes` in place, so every holder of this object sees them."""
        for key in changes:
            setattr(self, key, changes[key])


def _once(name: str) -> "Any":
    """Import module `name` for one use: it leaves sys.modules, the caller holds the last reference.

    Loading and checking the configuration happen at boot and on `set_config` only; not
    keeping that code resident saves about 6 KB of RAM on a reader that runs for months.
    """
    mod = __import__(name)
    del sys.modules[name]
    return mod


def schema() -> "Any":
    """Return config_schema (every key and its default): loaded now, dropped after use."""
    return _once("config_schema")


def rules() -> "Any":
    """Return config_rules (ranges, checks, restart keys): loaded now, dropped after use."""
    return _once("config_rules")


def load(path: str) -> Config:
    """Read `path` (config_io.load): defaults for a missing file or bad keys, never an exception."""
    return _once("config_io").load(path)


def save(path: str, cfg: Config, keys: "Any") -> None:
    """Write the `keys` (config_rules.keys()) of `cfg` to `path` atomically (temp file, rename).

    Key by key: no copy of the configuration (`cfg.__dict__` would be one, in one piece).
    """
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write('{"schema":%d' % SCHEMA)
        for key in keys:
            f.write(',"%s":' % key)  # keys are plain identifiers
            json.dump(getattr(cfg, key), f)
        f.write("}")
    try:
        os.rename(tmp, path)
    except OSError:
        # FAT refuses to rename over an existing file; LittleFS (the ESP32 default) does not.
        os.remove(path)
        os.rename(tmp, path)
