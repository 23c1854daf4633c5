"""The MQTT contract models, topic strings and generated JSON Schemas."""

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.contracts import topics
from shared.contracts.base import format_utc
from shared.contracts.export import SCHEMA_DIR, render_schemas
from shared.contracts.heartbeat import Heartbeat
from shared.contracts.scan import ScanEvent
from shared.contracts.status import ReaderStatus
from shared.contracts.topics import ReaderTopic

SPEC_SCAN = (
    '{"v":1,"event_id":"esp32-a1b2c3:9f3e01aa:42","boot_id":"9f3e01aa","seq":42,'
    '"uid":"04A1B2C3D4E5F6","uid_len":7,"ts":1764110000123,"ts_src":"ntp","mono_ms":123456,'
    '"replayed":false}'
)
SPEC_HEARTBEAT = (
    '{"v":1,"ts":1,"uptime_s":5,"rssi":-61,"heap_free":100,"outbox":{"depth":0,"dropped":0},'
    '"reader":{"ok":true,"resets":0,"version":"0x92"},"time_synced":true,"mqtt_reconnects":2,'
    '"fw":"1.0.0"}'
)


def test_generated_schemas_are_up_to_date() -> None:
    """Run `python -m shared.contracts.export` after changing a contract model."""
    for name, text in render_schemas().items():
        assert (SCHEMA_DIR / name).read_text() == text, f"{name} is stale"


def test_spec_examples_validate() -> None:
    scan = ScanEvent.model_validate_json(SPEC_SCAN)
    assert (scan.uid_len, scan.device_of_event()) == (7, "esp32-a1b2c3")
    assert Heartbeat.model_validate_json(SPEC_HEARTBEAT).outbox.dropped == 0
    assert ReaderStatus.model_validate_json('{"v":1,"state":"offline"}').state == "offline"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"replayed": "false"}, "string boolean"),
        ({"v": 2}, "unknown version"),
        ({"uid_len": 4}, "uid length mismatch"),
        ({"uid": "04A1B2C3D4E5ZZ"}, "non-hex uid"),
        ({"seq": 43}, "event_id/seq mismatch"),
        ({"seq": "42"}, "string number"),
    ],
)
def test_contract_violations_are_refused(change: dict[str, object], why: str) -> None:
    body = json.loads(SPEC_SCAN) | change
    with pytest.raises(ValidationError):
        ScanEvent.model_validate_json(json.dumps(body))


def test_unknown_fields_are_ignored() -> None:
    body = json.loads(SPEC_SCAN) | {"future_field": [1, 2]}
    assert ScanEvent.model_validate_json(json.dumps(body)).seq == 42


def test_lowercase_uid_is_normalised_to_uppercase() -> None:
    body = json.loads(SPEC_SCAN) | {"uid": "04a1b2c3d4e5f6"}
    assert ScanEvent.model_validate_json(json.dumps(body)).uid == "04A1B2C3D4E5F6"


@given(st.from_regex(r"[a-z0-9-]{3,40}", fullmatch=True), st.sampled_from(list(ReaderTopic)))
def test_reader_topics_round_trip(device_id: str, kind: ReaderTopic) -> None:
    parsed = topics.parse_reader(topics.reader(device_id, kind))
    assert parsed is not None and (parsed.device_id, parsed.kind) == (device_id, kind)


@pytest.mark.parametrize(
    "topic",
    [
        "sentinel/v1/readers/UPPER/scan",
        "sentinel/v1/readers/ab/scan",
        "sentinel/v1/readers/good-id/feedback",
        "sentinel/v2/readers/good-id/scan",
        "sentinel/v1/readers/good-id/scan/extra",
        "sentinel/v1/readers/good-id\n/scan",  # `$` alone would let the newline through
        f"sentinel/v1/readers/{'a' * 41}/scan",  # a device id is at most 40 characters
        f"sentinel/v1/readers/{'a' * 4000}/scan",  # refused before the cache
    ],
)
def test_foreign_topics_are_not_reader_topics(topic: str) -> None:
    assert topics.parse_reader(topic) is None
    assert topics.parse_reader(topic) is None  # the same, from the cache


def test_the_longest_reader_topic_is_one() -> None:
    topic = topics.reader("a" * 40, ReaderTopic.CMD_ACK)
    assert topics.parse_reader(topic) == topics.ReaderAddress("a" * 40, ReaderTopic.CMD_ACK)
    assert not topics.is_device_id("good-id\n")


def test_shared_subscription_prefix() -> None:
    assert topics.reader_subscription(ReaderTopic.SCAN, share_group="ingest") == (
        "$share/ingest/sentinel/v1/readers/+/scan"
    )


@pytest.mark.parametrize(
    ("at", "wire"),
    [
        (datetime(2026, 11, 26, 1, 2, 3, 456789, tzinfo=UTC), "2026-11-26T01:02:03.456Z"),
        # Local time is converted; sub-millisecond digits are truncated, not rounded.
        (
            datetime(2026, 3, 8, 2, 30, 0, 999, tzinfo=timezone(timedelta(hours=-6))),
            "2026-03-08T08:30:00.000Z",
        ),
        (datetime(999, 1, 1, tzinfo=UTC), "0999-01-01T00:00:00.000Z"),
        # A UTC zone that is not `datetime.UTC` itself (converted: the fast path is for UTC).
        (
            datetime(2026, 7, 1, 12, 0, 0, 1000, tzinfo=ZoneInfo("Etc/UTC")),
            "2026-07-01T12:00:00.001Z",
        ),
    ],
)
def test_wire_times_are_iso_utc_with_milliseconds(at: datetime, wire: str) -> None:
    assert format_utc(at) == wire


def test_a_naive_wire_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_utc(datetime(2026, 1, 1))  # noqa: DTZ001
