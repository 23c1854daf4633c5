"""`sentinel/v1/readers/{device_id}/heartbeat`: periodic reader health (QoS0)."""

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import Inbound


class OutboxHealth(BaseModel):
    """The reader's offline outbox."""

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    depth: int = Field(ge=0)
    dropped: int = Field(ge=0)


class ReaderChipHealth(BaseModel):
    """The RC522's health as the firmware sees it."""

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    ok: bool
    resets: int = Field(default=0, ge=0)
    version: str | None = None


class Heartbeat(Inbound):
    """A reader heartbeat, every 30 s by default."""

    ts: int | None = None
    uptime_s: int = Field(ge=0)
    rssi: int | None = None
    heap_free: int | None = Field(default=None, ge=0)
    outbox: OutboxHealth
    reader: ReaderChipHealth
    time_synced: bool = False
    mqtt_reconnects: int = Field(default=0, ge=0)
    fw: str | None = Field(default=None, max_length=40)
