"""`sentinel/v1/readers/{device_id}/status`: birth, Last Will and graceful offline (retained)."""

from typing import Literal

from pydantic import Field

from shared.contracts.base import Inbound


class ReaderStatus(Inbound):
    """A reader's connection state."""

    state: Literal["online", "offline"]
    fw: str | None = Field(default=None, max_length=40)
    boot_id: str | None = Field(default=None, max_length=16)
    ip: str | None = Field(default=None, max_length=45)
    ts: int | None = None
    reason: str | None = Field(default=None, max_length=100)
