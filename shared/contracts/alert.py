"""`sentinel/v1/alerts/{severity}/{type}` and `alerts/acknowledged`."""

from uuid import UUID

from shared.contracts.base import Outbound, UtcTime
from shared.domain.alerts import AlertType, Severity


class AlertMessage(Outbound):
    """A new alert."""

    id: UUID
    type: AlertType
    severity: Severity
    subject: str | None = None
    message: str
    created_at: UtcTime


class AlertAcknowledged(Outbound):
    """An alert acknowledged by a person with authority."""

    id: UUID
    type: AlertType
    acknowledged_by: UUID
    acknowledged_at: UtcTime
    note: str | None = None
