"""`sentinel/v1/readers/{device_id}/feedback`: the backend's answer to a scan (QoS1)."""

from pydantic import Field

from shared.contracts.base import Outbound
from shared.domain.scan import ScanResult


class Feedback(Outbound):
    """What the reader shows for one scan."""

    event_id: str | None = Field(default=None, max_length=100)
    result: ScanResult
    display: str | None = None
    reason: str | None = None
