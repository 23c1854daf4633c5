"""Shared steps for firmware scenarios: bring a device online, read validated scans and heartbeats."""

from __future__ import annotations

from typing import Any

from shared.contracts.heartbeat import Heartbeat
from shared.contracts.scan import ScanEvent
from shared.contracts.status import ReaderStatus


def online(dev: Any, probe: Any) -> ReaderStatus:
    """Start `dev` and return its validated birth status once it is connected."""
    dev.start()
    while True:
        _, payload, _ = probe.next("/status")
        status = ReaderStatus.model_validate_json(payload)
        if status.state == "online":
            break
    dev.expect(r"mqtt_connected")
    return status


def scan(probe: Any, timeout: float = 5.0) -> ScanEvent:
    """Return the next scan, validated against the contract."""
    _, payload, _ = probe.next("/scan", timeout)
    return ScanEvent.model_validate_json(payload)


def heartbeat(probe: Any, timeout: float = 5.0) -> Heartbeat:
    """Return the next heartbeat, validated against the contract."""
    _, payload, _ = probe.next("/heartbeat", timeout)
    return Heartbeat.model_validate_json(payload)
