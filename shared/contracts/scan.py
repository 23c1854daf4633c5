"""`sentinel/v1/readers/{device_id}/scan`: one badge tap (reader → backend, QoS1)."""

from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from shared.contracts.base import Inbound

UID_LENGTHS = (4, 7, 10)


class ScanEvent(Inbound):
    """A badge tap as the reader publishes it."""

    event_id: str = Field(min_length=7, max_length=100)
    boot_id: str = Field(pattern=r"^[0-9a-f]{1,16}$")
    seq: int = Field(ge=0, le=2**53)
    uid: str = Field(pattern=r"^[0-9A-Fa-f]+$", max_length=20)
    uid_len: int
    ts: int | None = Field(default=None, ge=0)
    ts_src: Literal["ntp", "none"] = "none"
    mono_ms: int = Field(default=0, ge=0)
    replayed: bool = False

    @field_validator("uid")
    @classmethod
    def _upper(cls, uid: str) -> str:
        return uid.upper()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.uid_len not in UID_LENGTHS:
            raise ValueError(f"uid_len must be one of {UID_LENGTHS}")
        if len(self.uid) != 2 * self.uid_len:
            raise ValueError("uid must hold exactly uid_len bytes of hex")
        if not self.event_id.endswith(f":{self.boot_id}:{self.seq}"):
            raise ValueError("event_id must be {device_id}:{boot_id}:{seq}")
        return self

    def device_of_event(self) -> str:
        """Return the device id embedded in `event_id`."""
        return self.event_id.rsplit(":", 2)[0]
