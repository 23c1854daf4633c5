"""Reads config.json at boot: schema version, defaults for missing or invalid keys (logged).

Loaded on demand by config.load() and dropped afterwards, to save RAM.
"""

import json

import config
import log
from config import Config
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any


def defaults() -> Config:
    """Return the default configuration."""
    return Config(dict(config.schema().DEFAULTS))


def redacted(cfg: Config) -> dict:
    """Return the values with secrets masked, safe to log."""
    out = cfg.values()
    for key in ("wifi_password", "mqtt_password"):
        if out.get(key):
            out[key] = "***"
    return out


def from_dict(raw: "Any") -> Config:
    """Build a Config from parsed JSON, keeping defaults for missing or invalid keys (logged)."""
    values = dict(config.schema().DEFAULTS)
    if type(raw) is not dict:
        log.error("config", "config_invalid", "reason=not_an_object")
        return Config(values)
    schema = raw.get("schema", config.SCHEMA)
    if schema != config.SCHEMA:
        log.warn("config", "config_schema", "found=%s expected=%d" % (schema, config.SCHEMA))
    rules = config.rules()
    for key in raw:
        if key == "schema":
            continue
        problem = rules.check(key, raw[key], values.get(key))
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
