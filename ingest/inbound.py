"""The message the receive stage hands on: topic, raw payload, MQTT ids and receive time."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Inbound:
    """One MQTT message as received, before any validation."""

    topic: str
    payload: bytes
    mid: int
    qos: int
    received_at: datetime
    retain: bool = False
