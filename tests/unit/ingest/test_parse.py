"""The parse stage turns any bytes on any topic into a model or a dead letter, never a crash."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.inbound import Inbound
from ingest.stages.parse import Parsed, Refused, parse
from shared.contracts.scan import ScanEvent

NOW = datetime(2026, 11, 26, tzinfo=UTC)
TOPIC = "sentinel/v1/readers/rdr-1/scan"


def inbound(payload: bytes, topic: str = TOPIC) -> Inbound:
    return Inbound(topic=topic, payload=payload, mid=1, qos=1, received_at=NOW)


def good(**overrides: object) -> bytes:
    body = {
        "v": 1,
        "event_id": "rdr-1:ab:1",
        "boot_id": "ab",
        "seq": 1,
        "uid": "01020304",
        "uid_len": 4,
        "ts": None,
        "ts_src": "none",
        "mono_ms": 5,
        "replayed": False,
    }
    body.update(overrides)
    return json.dumps(body).encode()


def test_valid_scan_parses() -> None:
    result = parse(inbound(good()), max_bytes=4096)
    assert isinstance(result, Parsed) and isinstance(result.model, ScanEvent)
    assert result.device_id == "rdr-1"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe\x00", "invalid_json"),
        (b"[" * 100_000, "oversized"),
        (b"[" * 3000 + b"]" * 3000, "invalid_json"),
        (good(v=2), "unsupported_version"),
        (good(uid_len="4"), "invalid_payload"),
        (good(event_id="other-reader:ab:1"), "device_mismatch"),
        (b"null", "invalid_payload"),
    ],
)
def test_bad_payloads_are_refused_with_a_reason(payload: bytes, reason: str) -> None:
    result = parse(inbound(payload), max_bytes=8192)
    assert isinstance(result, Refused)
    assert result.reason == reason
    assert result.error


def test_unknown_topic_has_no_trusted_device() -> None:
    result = parse(inbound(good(), topic="sentinel/v1/readers/rdr-1/nope"), max_bytes=4096)
    assert isinstance(result, Refused) and result.device_id is None


@settings(max_examples=300)
@given(st.binary(max_size=600), st.text(max_size=80))
def test_any_bytes_on_any_topic_never_raise(payload: bytes, topic: str) -> None:
    result = parse(inbound(payload, topic=topic), max_bytes=512)
    assert isinstance(result, Parsed | Refused)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(
            ["v", "event_id", "boot_id", "seq", "uid", "uid_len", "ts", "ts_src", "replayed", "x"]
        ),
        json_values,
    )
)
def test_any_json_object_is_parsed_or_refused(body: dict[str, object]) -> None:
    result = parse(inbound(json.dumps(body).encode()), max_bytes=4096)
    assert isinstance(result, Parsed | Refused)
    if isinstance(result, Refused):
        assert result.reason in {
            "invalid_json",
            "invalid_payload",
            "unsupported_version",
            "device_mismatch",
        }
