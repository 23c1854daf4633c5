"""Loads, validates and atomically saves config.json (schema version, defaults, secrets kept out of logs)."""

import json
import os

import log
from config_schema import DEFAULTS, RANGES, RESTART_KEYS

try:
    from typing import TYPE_CHECKING
except ImportError:
    TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

SCHEMA = 1
SECRETS = ("wifi_password", "mqtt_password")


def _is_device_id(value: str) -> bool:
    if not 3 <= len(value) <= 40:
        return False
    for ch in value:
        if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch == "-"):
            return False
    return True


def check(key: str, value: "Any") -> "str | None":
    """Return why `value` is not valid for `key`, or None when it is."""
    if key not in DEFAULTS:
        return "unknown key " + key
    typ = type(DEFAULTS[key])
    if type(value) is not typ:
        return key + " must be " + typ.__name__
    if typ is not bool:
        i = RANGES.index(key)
        lo: int = RANGES[i + 1]  # type: ignore[assignment]
        hi: int = RANGES[i + 2]  # type: ignore[assignment]
        v: "Any" = value  # (mypy narrows `value` to object after the type() check)
        n = v if typ is int else len(v)
        if not lo <= n <= hi:
            return "%s out of range %d..%d" % (key if typ is int else key + " length", lo, hi)
    if key == "device_id" and value and not _is_device_id(str(value)):
        return "device_id must match [a-z0-9-]{3,40}"
    if key == "log_level" and value not in ("debug", "info", "warn", "error"):
        return "log_level must be debug|info|warn|error"
    return None


class Config:
    """A validated configuration; read keys as attributes (`cfg.poll_ms`)."""

    def __init__(self, values: dict) -> None:
        self._v = values

    def __getattr__(self, name: str) -> "Any":
        try:
            return self._v[name]
        except KeyError:
            raise AttributeError(name)

    def values(self) -> dict:
        """Return a copy of every key with its value (secrets included; never log this)."""
        return dict(self._v)

    def redacted(self) -> dict:
        """Return the values with secrets masked, safe to log."""
        out = dict(self._v)
        for key in SECRETS:
            if out.get(key):
                out[key] = "***"
        return out

    def updated(self, changes: "Any") -> "Config":
        """Return a new Config with `changes` applied; raise ValueError naming the first bad key."""
        if type(changes) is not dict or not changes:
            raise ValueError("args must be a non-empty object")
        for key in changes:
            problem = check(key, changes[key])
            if problem:
                raise ValueError(problem)
        merged = dict(self._v)
        merged.update(changes)
        if merged["backoff_min_ms"] > merged["backoff_max_ms"]:
            raise ValueError("backoff_min_ms must not exceed backoff_max_ms")
        return Config(merged)

    def replace(self, other: "Config") -> None:
        """Take over `other`'s values in place, so every holder of this object sees them."""
        self._v = other.values()

    def needs_restart(self, changes: dict) -> bool:
        """Return True when any key in `changes` only applies after a restart."""
        for key in changes:
            if key in RESTART_KEYS and changes[key] != self._v.get(key):
                return True
        return False


def defaults() -> Config:
    """Return the default configuration."""
    return Config(dict(DEFAULTS))


def from_dict(raw: "Any") -> Config:
    """Build a Config from parsed JSON, keeping defaults for missing or invalid keys (logged)."""
    values = defaults().values()
    if type(raw) is not dict:
        log.error("config", "config_invalid", "reason=not_an_object")
        return Config(values)
    schema = raw.get("schema", SCHEMA)
    if schema != SCHEMA:
        log.warn("config", "config_schema", "found=%s expected=%d" % (schema, SCHEMA))
    for key in raw:
        if key == "schema":
            continue
        problem = check(key, raw[key])
        if problem:
            log.warn("config", "config_invalid", "key=%s reason=%s" % (key, problem))
        else:
            values[key] = raw[key]
    if values["backoff_min_ms"] > values["backoff_max_ms"]:
        log.warn("config", "config_invalid", "key=backoff_min_ms reason=exceeds max")
        values["backoff_min_ms"] = values["backoff_max_ms"]
    return Config(values)


def load(path: str) -> Config:
    """Read `path`; a missing or unreadable file gives the defaults (logged), never an exception."""
    try:
        with open(path) as f:
            raw = json.load(f)
    except OSError:
        log.warn("config", "config_missing", "path=" + path)
        return defaults()
    except ValueError:
        log.error("config", "config_invalid", "reason=bad_json path=" + path)
        return defaults()
    return from_dict(raw)


def save(path: str, cfg: Config) -> None:
    """Write `cfg` to `path` atomically (temporary file, then rename)."""
    data = cfg.values()
    data["schema"] = SCHEMA
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    try:
        os.rename(tmp, path)
    except OSError:
        # FAT refuses to rename over an existing file; LittleFS (the ESP32 default) does not.
        os.remove(path)
        os.rename(tmp, path)
