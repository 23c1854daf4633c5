"""Builds and parses `sentinel/v1/...` topic strings (mqtt-contract.md)."""

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

PREFIX = "sentinel/v1"
DEVICE_ID_MAX = 40
# fullmatch, not match with `$`: `$` also matches before a trailing newline.
_DEVICE = re.compile(rf"[a-z0-9-]{{3,{DEVICE_ID_MAX}}}")


class ReaderTopic(StrEnum):
    """Topics a reader publishes under its own subtree."""

    SCAN = "scan"
    STATUS = "status"
    HEARTBEAT = "heartbeat"
    CMD_ACK = "cmd/ack"


@dataclass(frozen=True, slots=True)
class ReaderAddress:
    """A parsed reader topic."""

    device_id: str
    kind: ReaderTopic


def reader(device_id: str, kind: ReaderTopic) -> str:
    """Return a reader → backend topic."""
    return f"{PREFIX}/readers/{device_id}/{kind}"


def reader_subscription(kind: ReaderTopic, *, share_group: str | None = None) -> str:
    """Return the wildcard subscription for one reader topic kind, optionally shared."""
    topic = f"{PREFIX}/readers/+/{kind}"
    return f"$share/{share_group}/{topic}" if share_group else topic


def feedback(device_id: str) -> str:
    """Return the reader's feedback topic."""
    return f"{PREFIX}/readers/{device_id}/feedback"


def command(device_id: str) -> str:
    """Return the reader's command topic."""
    return f"{PREFIX}/readers/{device_id}/cmd"


_LONGEST_READER_TOPIC = len(f"{PREFIX}/readers//") + DEVICE_ID_MAX + max(map(len, ReaderTopic))


def parse_reader(topic: str) -> ReaderAddress | None:
    """Return the device and kind of a reader → backend topic, or None if it is not one.

    Cached: the ingest parses every message's topic, and a fleet's topics repeat (20 times
    cheaper from the cache). A topic too long to be a reader's is refused before the cache, so
    garbage topics cannot fill it with long keys.
    """
    if len(topic) > _LONGEST_READER_TOPIC:
        return None
    return _parse_reader(topic)


@functools.lru_cache(maxsize=4096)
def _parse_reader(topic: str) -> ReaderAddress | None:
    head = f"{PREFIX}/readers/"
    if not topic.startswith(head):
        return None
    device_id, _, rest = topic[len(head) :].partition("/")
    if not _DEVICE.fullmatch(device_id):
        return None
    try:
        kind = ReaderTopic(rest)
    except ValueError:
        return None
    return ReaderAddress(device_id, kind)


def is_device_id(value: str) -> bool:
    """Return True when `value` is a valid device id."""
    return bool(_DEVICE.fullmatch(value))


PRESENCE_SUMMARY = f"{PREFIX}/presence/summary"
CHECKIN_EVENTS = f"{PREFIX}/events/checkins"
ALERTS_ACKNOWLEDGED = f"{PREFIX}/alerts/acknowledged"
BUILDING_LOCKUP = f"{PREFIX}/building/lockup"
BUILDING_DDS = f"{PREFIX}/building/dds"


def presence_member(member_id: UUID) -> str:
    """Return a member's retained presence topic."""
    return f"{PREFIX}/presence/members/{member_id}"


def alert(severity: str, alert_type: str) -> str:
    """Return the topic for a new alert."""
    return f"{PREFIX}/alerts/{severity}/{alert_type}"


def fleet_reader(device_id: str) -> str:
    """Return the retained fleet topic of one reader."""
    return f"{PREFIX}/fleet/readers/{device_id}"


def building_event(kind: str) -> str:
    """Return the topic of one kind of building event (responsibility, lockup, DDS, rollover)."""
    return f"{PREFIX}/building/events/{kind}"
