"""Base classes and field types common to every wire model."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

DEVICE_ID_PATTERN = r"^[a-z0-9-]{3,40}$"
DeviceId = Annotated[str, Field(pattern=DEVICE_ID_PATTERN)]
MAX_PAYLOAD_BYTES = 4096


def format_utc(at: datetime) -> str:
    """Render an aware datetime as ISO-8601 UTC with millisecond precision and a `Z`."""
    if at.tzinfo is not UTC:  # the backend's own times are in UTC already: no conversion
        if at.tzinfo is None:
            raise ValueError("wire datetimes must be timezone-aware")
        at = at.astimezone(UTC)
    # isoformat, not strftime: twice as fast on the hot path, and `%Y` drops the zero padding of
    # years before 1000 on glibc.
    return at.isoformat(timespec="milliseconds")[:-6] + "Z"


UtcTime = Annotated[datetime, PlainSerializer(format_utc, return_type=str)]
"""A backend timestamp: aware datetime, serialised as `2026-11-26T01:02:03.456Z`."""


class Inbound(BaseModel):
    """A message the backend receives from a reader: strict types, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    v: Literal[1]


class Outbound(BaseModel):
    """A message the backend publishes."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    v: Literal[1] = 1

    def to_bytes(self) -> bytes:
        """Compact UTF-8 JSON, as the contract asks (the serializer's bytes, not re-encoded)."""
        return self.__pydantic_serializer__.to_json(self)
