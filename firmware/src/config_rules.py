"""Checks config values: ranges, device id and log level rules, and which keys need a restart.

Loaded on demand (config.rules()) at boot and for set_config, then dropped, to save RAM: so
everything here is small strings rather than tuples, and nothing needs the DEFAULTS table.
"""

from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

# fmt: off
# " key lo hi " triples, one line per string: the range of an int, the length range of a str
# (a bool has 0 1). Short strings, not a tuple of numbers: fewer and smaller allocations.
RANGES = (
    " device_id 0 40 wifi_ssid 0 32 wifi_password 0 64 mqtt_host 0 100 mqtt_port 1 65535 ",
    " mqtt_user 0 64 mqtt_password 0 128 mqtt_tls 0 1 mqtt_ca 0 64 mqtt_keepalive_s 2 600 ",
    " mqtt_retry_ms 200 60000 mqtt_max_in 256 16384 backoff_min_ms 10 60000 ",
    " backoff_max_ms 10 600000 ntp_enabled 0 1 ntp_host 1 64 ntp_resync_s 60 604800 ",
    " heartbeat_s 1 3600 poll_ms 10 1000 cooldown_ms 0 60000 absent_polls 1 20 ",
    " feedback_timeout_ms 100 10000 rx_gain 0 7 health_ms 100 60000 outbox_capacity 4 5000 ",
    " outbox_flush_acks 1 1000 outbox_flush_ms 100 600000 send_window 1 32 wdt_ms 0 120000 ",
    " spi_id 0 2 spi_baud 100000 10000000 pin_sck 0 48 pin_mosi 0 48 pin_miso 0 48 ",
    " pin_cs 0 48 pin_rst 0 48 pin_led_green 0 48 pin_led_red 0 48 pin_buzzer 0 48 ",
    " data_dir 1 32 log_level 4 5 ",
)

# Keys that only take effect after a restart (set_config reboots when one of them changes).
RESTART_KEYS = (
    " device_id wifi_ssid wifi_password mqtt_host mqtt_port mqtt_user mqtt_password mqtt_tls "
    "mqtt_ca mqtt_keepalive_s spi_id spi_baud pin_sck pin_mosi pin_miso pin_cs pin_rst "
    "pin_led_green pin_led_red pin_buzzer data_dir outbox_capacity wdt_ms mqtt_max_in "
)
# fmt: on


def _is_device_id(value: str) -> bool:
    if not 3 <= len(value) <= 40:
        return False
    for c in value.encode():  # [a-z0-9-] by code, not one-letter strings (no qstrs)
        if not (97 <= c <= 122 or 48 <= c <= 57 or c == 45):
            return False
    return True


def _range(key: str) -> "str | None":
    """Return the " lo hi ..." rest of `key`'s line in RANGES, or None for an unknown key."""
    if not key or " " in key or not 97 <= ord(key[0]) <= 122:  # a key, never a number
        return None
    word = " " + key + " "
    for line in RANGES:
        i = line.find(word)
        if i >= 0:
            return line[i + len(word) - 1 :]
    return None


def keys() -> "Any":
    """Yield every config key (the first word of each RANGES triple), one small string at a time."""
    for line in RANGES:
        words = line.split()
        for i in range(0, len(words), 3):
            yield words[i]


def check(key: str, value: "Any", like: "Any") -> "str | None":
    """Return why `value` is not valid for `key`, or None; `like` has the type `value` needs."""
    rest = _range(key)
    if rest is None:
        return "unknown key " + key
    typ = type(like)
    if type(value) is not typ:
        return key + " must be " + typ.__name__
    if typ is not bool:
        parts = rest.split(None, 2)
        lo = int(parts[0])
        hi = int(parts[1])
        n = value if typ is int else len(value)
        if not lo <= n <= hi:
            return "%s out of range %d..%d" % (key if typ is int else key + " length", lo, hi)
    if key == "device_id" and value and not _is_device_id(value):
        return "device_id must match [a-z0-9-]{3,40}"
    if key == "log_level" and value not in ("debug", "info", "warn", "error"):
        return "log_level must be debug|info|warn|error"
    return None


def validate(cfg: "Any", changes: "Any") -> None:
    """Raise ValueError naming the first problem if `changes` cannot be applied to `cfg`.

    `cfg` is the running Config: every key is there, with a value of the right type.
    """
    if type(changes) is not dict or not changes:
        raise ValueError("args must be a non-empty object")
    for key in changes:
        # getattr only for a known key: a name from a payload must not be interned (RAM)
        like = getattr(cfg, key) if _range(key) is not None else None
        problem = check(key, changes[key], like)
        if problem:
            raise ValueError(problem)
    lo = changes["backoff_min_ms"] if "backoff_min_ms" in changes else cfg.backoff_min_ms
    hi = changes["backoff_max_ms"] if "backoff_max_ms" in changes else cfg.backoff_max_ms
    if lo > hi:
        raise ValueError("backoff_min_ms must not exceed backoff_max_ms")


def needs_restart(cfg: "Any", changes: dict) -> bool:
    """Return True when any (valid) key in `changes` only applies after a restart."""
    for key in changes:
        if " " + key + " " in RESTART_KEYS and changes[key] != getattr(cfg, key):
            return True
    return False
