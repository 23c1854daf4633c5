"""`sentinel/v1/fleet/readers/{device_id}`: the backend's view of one reader (retained)."""

from shared.contracts.base import Outbound, UtcTime


class FleetReader(Outbound):
    """Reader registry state for dashboards."""

    device_id: str
    status: str
    online: bool
    last_seen: UtcTime | None
    fw: str | None = None
    rssi: int | None = None
    outbox_depth: int | None = None
    outbox_dropped: int | None = None
    reader_ok: bool | None = None
