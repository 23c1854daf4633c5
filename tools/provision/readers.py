"""Reader provisioning: credentials, device registration and the firmware's `config.json`.

This is the library `python -m tools.provision reader ...` and `tools/flash` call:
`provision_reader` (create or rotate), `revoke_reader`, and `reader_files` which returns the
files to copy to the device's filesystem root (`config.json`, plus `ca.der` with TLS).
"""

import asyncio
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.clock import Clock, SystemClock
from shared.contracts import topics
from tools.provision import passwords, pki, registry
from tools.provision.acl import Role
from tools.provision.files import write_private
from tools.provision.state import (
    DEFAULT_STATE_DIR,
    BrokerState,
    PrincipalExists,
    UnknownPrincipal,
    reload_broker,
)

CONFIG_SCHEMA = 1  # firmware/src/config.py SCHEMA
# Where the CA lands on the device; `mqtt_ca` points at it. DER, because MicroPython's
# `SSLContext.load_verify_locations(cadata=...)` (mbedTLS 3.6) rejects PEM: "invalid cert".
CA_DEVICE_PATH = "ca.der"
# Length limits of the firmware's config validation (firmware/src/config.py _SPEC).
_MAX_LENGTH = {
    "device_id": 40,
    "wifi_ssid": 32,
    "wifi_password": 64,
    "mqtt_host": 100,
    "mqtt_user": 64,
    "mqtt_password": 128,
    "mqtt_ca": 64,
}


@dataclass(frozen=True)
class ReaderCredentials:
    """What a reader needs to log in to the broker. The password is shown only once."""

    device_id: str
    password: str
    ca_pem: bytes | None  # the CA that signed the broker's certificate, when TLS is set up

    @property
    def username(self) -> str:
        """The broker username: the device id (mqtt-contract.md)."""
        return self.device_id


@dataclass(frozen=True)
class BrokerEndpoint:
    """Where readers reach the broker."""

    host: str
    tls: bool = True
    port: int | None = None  # 8883 with TLS, 1883 without

    @property
    def effective_port(self) -> int:
        """The port readers connect to."""
        return self.port or (8883 if self.tls else 1883)


def _state(state_dir: Path | str | None) -> BrokerState:
    if state_dir is None:
        state_dir = os.environ.get("SENTINEL_BROKER_STATE_DIR") or DEFAULT_STATE_DIR
    return BrokerState(Path(state_dir))


def _check_device_id(device_id: str) -> str:
    if not topics.is_device_id(device_id):
        raise ValueError(f"invalid device id {device_id!r}: [a-z0-9-]{{3,40}}")
    return device_id


def issue_reader_credentials(
    state: BrokerState, device_id: str, *, rotate: bool = False, password: str | None = None
) -> ReaderCredentials:
    """Create (or with `rotate`, replace) the reader's password and ACL entry."""
    _check_device_id(device_id)
    secret = password or passwords.generate_password()
    state.set_password(device_id, Role.READER, secret, replace=rotate)
    ca = state.tls.ca_cert
    return ReaderCredentials(device_id, secret, ca.read_bytes() if ca.exists() else None)


def provision_reader(
    device_id: str,
    *,
    state_dir: Path | str | None = None,
    database_url: str | None = None,
    name: str | None = None,
    rotate: bool = False,
    password: str | None = None,
    reload: bool = True,
    clock: Clock | None = None,
) -> ReaderCredentials:
    """Register the reader, issue its credentials and reload the broker.

    The reader is registered as `active` when `database_url` is given. Raises
    `PrincipalExists` if it exists and `rotate` is False, and `UnknownPrincipal` if `rotate` is
    True and it does not exist. Synchronous: inside an event loop, call it through
    `asyncio.to_thread`.
    """
    state = _state(state_dir)
    exists = _check_device_id(device_id) in state.principals()
    # Checked before the database is touched, so a typo does not re-activate a reader.
    if exists and not rotate:
        raise PrincipalExists(f"{device_id} is already provisioned; rotate its credentials")
    if rotate and not exists:
        raise UnknownPrincipal(f"{device_id} is not provisioned; add it first")
    if database_url:
        now = (clock or SystemClock()).now()
        asyncio.run(
            registry.record_registration(
                database_url, device_id, name=name, now=now, rotated=rotate
            )
        )
    credentials = issue_reader_credentials(state, device_id, rotate=rotate, password=password)
    if reload:
        reload_broker(state)
    return credentials


def revoke_reader(
    device_id: str,
    *,
    state_dir: Path | str | None = None,
    database_url: str | None = None,
    reload: bool = True,
    clock: Clock | None = None,
) -> None:
    """Delete the reader's credentials and reload the broker, which drops its connection.

    Then mark it `disabled` in the database when `database_url` is given.
    """
    state = _state(state_dir)
    state.remove(_check_device_id(device_id))
    if reload:
        reload_broker(state)
    if database_url:
        now = (clock or SystemClock()).now()
        asyncio.run(registry.record_revocation(database_url, device_id, now=now))


def reader_config(
    credentials: ReaderCredentials,
    *,
    broker: BrokerEndpoint,
    wifi_ssid: str,
    wifi_password: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the firmware's `config.json` content for this reader.

    Keys (firmware/src/config.py): schema, device_id, wifi_ssid, wifi_password, mqtt_host,
    mqtt_port, mqtt_user, mqtt_password, mqtt_tls, mqtt_ca (device path of the CA file, or ""
    without TLS); `extra` adds or overrides other firmware keys (e.g. `ntp_host`).
    """
    if broker.tls and credentials.ca_pem is None:
        raise ValueError("TLS requested but the broker state has no CA (run `tls ca` first)")
    config: dict[str, Any] = {
        "schema": CONFIG_SCHEMA,
        "device_id": credentials.device_id,
        "wifi_ssid": wifi_ssid,
        "wifi_password": wifi_password,
        "mqtt_host": broker.host,
        "mqtt_port": broker.effective_port,
        "mqtt_user": credentials.username,
        "mqtt_password": credentials.password,
        "mqtt_tls": broker.tls,
        "mqtt_ca": CA_DEVICE_PATH if broker.tls else "",
    }
    config.update(extra or {})
    for key, limit in _MAX_LENGTH.items():
        value = config.get(key)
        if isinstance(value, str) and len(value) > limit:
            raise ValueError(f"{key} is longer than the firmware accepts ({limit})")
    return config


def reader_files(
    credentials: ReaderCredentials,
    *,
    broker: BrokerEndpoint,
    wifi_ssid: str,
    wifi_password: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, bytes]:
    """Return device path → content of every file a reader needs (`config.json`, `ca.der`)."""
    config = reader_config(
        credentials, broker=broker, wifi_ssid=wifi_ssid, wifi_password=wifi_password, extra=extra
    )
    files = {"config.json": json.dumps(config, indent=1).encode()}
    if broker.tls and credentials.ca_pem is not None:
        files[CA_DEVICE_PATH] = pki.pem_to_der(credentials.ca_pem)
    return files


def write_reader_files(directory: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write the files (secrets: mode 0600) into `directory`; return their paths."""
    written = []
    for name, content in files.items():
        path = directory / name
        write_private(path, content)
        written.append(path)
    return written
