"""Builds and validates a reader's config.json from the firmware's own schema and CLI overrides."""

import json
import re
import runpy
from pathlib import Path
from typing import Any

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
SCHEMA_FILE = FIRMWARE / "src" / "config_schema.py"
SECRETS = ("wifi_password", "mqtt_password")
DEVICE_ID = re.compile(r"^[a-z0-9-]{3,40}$")
REQUIRED = ("wifi_ssid", "mqtt_host")


class ConfigError(ValueError):
    """The generated configuration would not work on a reader."""


def schema_defaults() -> dict[str, Any]:
    """Return the firmware's key → default map (the single source of truth for keys and types)."""
    defaults: dict[str, Any] = runpy.run_path(str(SCHEMA_FILE))["DEFAULTS"]
    return dict(defaults)


def build_config(base: dict[str, Any] | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge `base` and non-None `overrides`, check keys and types, and return the JSON object."""
    defaults = schema_defaults()
    cfg: dict[str, Any] = {"schema": 1}
    for source in (base or {}, {k: v for k, v in overrides.items() if v is not None}):
        for key, value in source.items():
            if key == "schema":
                continue
            if key not in defaults:
                raise ConfigError(f"unknown config key {key!r}")
            if type(value) is not type(defaults[key]):
                expected = type(defaults[key]).__name__
                raise ConfigError(f"{key} must be {expected}, got {type(value).__name__}")
            cfg[key] = value
    device_id = cfg.get("device_id", "")
    if device_id and not DEVICE_ID.match(device_id):
        raise ConfigError("device_id must match [a-z0-9-]{3,40}")
    missing = [key for key in REQUIRED if not cfg.get(key)]
    if missing:
        raise ConfigError("missing required keys: " + ", ".join(missing))
    return cfg


def load_base(path: Path | None) -> dict[str, Any] | None:
    """Read a base config JSON file, or return None when no path is given."""
    if path is None:
        return None
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object")
    return data


def redacted(cfg: dict[str, Any]) -> dict[str, Any]:
    """Return a copy with secrets masked, for printing."""
    return {k: ("***" if k in SECRETS and v else v) for k, v in cfg.items()}


def write_config(cfg: dict[str, Any], path: Path) -> Path:
    """Write `cfg` as compact JSON to `path` and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cfg, separators=(",", ":")))
    return path
