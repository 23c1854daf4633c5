r"""The ingest's three per-scan messages as JSON bytes, built without the pydantic models.

`Feedback`, `CheckinEvent` and `MemberPresence` go out once per scan each; building and
validating a model to serialise it costs more than the message is worth on the hot path. These
functions write the same bytes directly: the same keys in the same order, strings escaped as
the models' serializer escapes them (`"`, `\\` and control characters; other characters as
UTF-8), UUIDs in their canonical form, times by `format_utc`. The models stay the contract:
`tests/unit/contracts/test_fast_json.py` checks, for generated values, that every function
returns exactly `Model(...).to_bytes()`. Callers pass values the models would accept (the
ingest's come from validated scans and the database).
"""

import uuid
from datetime import datetime
from json.encoder import encode_basestring

from shared.contracts.base import format_utc


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _id(value: uuid.UUID | None) -> str:
    return "null" if value is None else f'"{value}"'


# The last time formatted, by identity: a scan's check-in event and its member's presence carry
# the same datetime object, and formatting one costs about 3 µs here.
_last_time: tuple[datetime | None, str] = (None, "")


def _utc(value: datetime) -> str:
    global _last_time
    last = _last_time
    if last[0] is value:
        return last[1]
    text = format_utc(value)
    _last_time = (value, text)  # one assignment: a reader sees the old pair or the new one
    return text


def _time(value: datetime | None) -> str:
    return "null" if value is None else f'"{_utc(value)}"'


def feedback(
    *, event_id: str | None, result: str, display: str | None, reason: str | None
) -> bytes:
    """`Feedback(...).to_bytes()`; `result` is a `ScanResult` value."""
    return (
        f'{{"v":1,"event_id":{_text(event_id)},"result":{encode_basestring(result)},'
        f'"display":{_text(display)},"reason":{_text(reason)}}}'
    ).encode()


def checkin_event(
    *,
    id: uuid.UUID,
    member_id: uuid.UUID | None,
    visitor_id: uuid.UUID | None,
    display_name: str,
    division: str | None,
    direction: str,
    at: datetime,
    source: str,
    method: str,
    device_id: str | None,
    event_id: str | None,
    replayed: bool,
    corrected: bool,
) -> bytes:
    """`CheckinEvent(...).to_bytes()`; `direction` and `method` are the enums' values."""
    return (
        f'{{"v":1,"id":"{id}","member_id":{_id(member_id)},"visitor_id":{_id(visitor_id)},'
        f'"display_name":{encode_basestring(display_name)},"division":{_text(division)},'
        f'"direction":{encode_basestring(direction)},"at":"{_utc(at)}",'
        f'"source":{encode_basestring(source)},"method":{encode_basestring(method)},'
        f'"device_id":{_text(device_id)},"event_id":{_text(event_id)},'
        f'"replayed":{"true" if replayed else "false"},'
        f'"corrected":{"true" if corrected else "false"}}}'
    ).encode()


def member_presence(
    *,
    member_id: uuid.UUID,
    state: str,
    since: datetime | None,
    display_name: str,
    division: str | None,
) -> bytes:
    """`MemberPresence(...).to_bytes()`; `state` is "in" or "out"."""
    return (
        f'{{"v":1,"member_id":"{member_id}","state":{encode_basestring(state)},'
        f'"since":{_time(since)},"display_name":{encode_basestring(display_name)},'
        f'"division":{_text(division)}}}'
    ).encode()
