"""Loads, validates and atomically saves config.json (schema version, defaults, secrets kept out of logs)."""

import json
import os

import log

try:
    from typing import TYPE_CHECKING
except ImportError:
    TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

SCHEMA = 1
SECRETS = ("wifi_password", "mqtt_password")

# Every key with its default; the type of the default is the key's type.
DEFAULTS = {
    "device_id": "",
    "wifi_ssid": "",
    "wifi_password": "",
    "mqtt_host": "",
    "mqtt_port": 1883,
    "mqtt_user": "",
    "mqtt_password": "",
    "mqtt_tls": False,
    "mqtt_ca": "",
    "mqtt_keepalive_s": 30,
    "mqtt_retry_ms": 5000,
    "mqtt_max_in": 2048,
    "backoff_min_ms": 1000,
    "backoff_max_ms": 60000,
    "ntp_enabled": True,
    "ntp_host": "pool.ntp.org",
    "ntp_resync_s": 21600,
    "heartbeat_s": 30,
    "poll_ms": 100,
    "cooldown_ms": 2000,
    "absent_polls": 2,
    "feedback_timeout_ms": 1500,
    "rx_gain": 4,
    "health_ms": 1000,
    "outbox_capacity": 500,
    "outbox_flush_acks": 16,
    "outbox_flush_ms": 5000,
    "send_window": 8,
    "wdt_ms": 30000,
    "spi_id": 1,
    "spi_baud": 1000000,
    "pin_sck": 18,
    "pin_mosi": 23,
    "pin_miso": 19,
    "pin_cs": 5,
    "pin_rst": 22,
    "pin_led_green": 25,
    "pin_led_red": 26,
    "pin_buzzer": 27,
    "data_dir": "data",
    "log_level": "info",
}

# Flat (key, lo, hi) triples: the range of an int, or the length range of a str.
_RANGES = (
    "device_id", 0, 40, "wifi_ssid", 0, 32, "wifi_password", 0, 64, "mqtt_host", 0, 100,
    "mqtt_port", 1, 65535, "mqtt_user", 0, 64, "mqtt_password", 0, 128, "mqtt_ca", 0, 64,
    "mqtt_keepalive_s", 2, 600, "mqtt_retry_ms", 200, 60000, "mqtt_max_in", 256, 16384,
    "backoff_min_ms", 10, 60000, "backoff_max_ms", 10, 600000, "ntp_host", 1, 64,
    "ntp_resync_s", 60, 604800, "heartbeat_s", 1, 3600, "poll_ms", 10, 1000,
    "cooldown_ms", 0, 60000, "absent_polls", 1, 20, "feedback_timeout_ms", 100, 10000,
    "rx_gain", 0, 7, "health_ms", 100, 60000, "outbox_capacity", 4, 5000,
    "outbox_flush_acks", 1, 1000, "outbox_flush_ms", 100, 600000, "send_window", 1, 32,
    "wdt_ms", 0, 120000, "spi_id", 0, 2, "spi_baud", 100000, 10000000, "pin_sck", 0, 48,
    "pin_mosi", 0, 48, "pin_miso", 0, 48, "pin_cs", 0, 48, "pin_rst", 0, 48,
    "pin_led_green", 0, 48, "pin_led_red", 0, 48, "pin_buzzer", 0, 48, "data_dir", 1, 32,
    "log_level", 4, 5,
)

# Keys that only take effect after a restart (set_config reboots when one of them changes).
RESTART_KEYS = (
    "device_id", "wifi_ssid", "wifi_password", "mqtt_host", "mqtt_port", "mqtt_user",
    "mqtt_password", "mqtt_tls", "mqtt_ca", "mqtt_keepalive_s", "spi_id", "spi_baud",
    "pin_sck", "pin_mosi", "pin_miso", "pin_cs", "pin_rst", "pin_led_green", "pin_led_red",
    "pin_buzzer", "data_dir", "outbox_capacity", "wdt_ms", "mqtt_max_in",
)


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
        i = _RANGES.index(key)
        lo = _RANGES[i + 1]
        hi = _RANGES[i + 2]
        n = value if typ is int else len(value)
        if not lo <= n <= hi:
            return "%s out of range %d..%d" % (key if typ is int else key + " length", lo, hi)
    if key == "device_id" and value and not _is_device_id(value):
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
