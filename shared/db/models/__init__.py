"""All ORM models, imported here so `Base.metadata` knows every table."""

from shared.db.models.alerts import SecurityAlert
from shared.db.models.attendance import Checkin, MemberState
from shared.db.models.audit import AuditLog
from shared.db.models.devices import Device
from shared.db.models.features import SchemaFeature
from shared.db.models.ingest import DeadLetter, OutboxMessage, ProcessedEvent
from shared.db.models.people import Badge, Division, Member, Rank, Visitor

__all__ = [
    "AuditLog",
    "Badge",
    "Checkin",
    "DeadLetter",
    "Device",
    "Division",
    "Member",
    "MemberState",
    "OutboxMessage",
    "ProcessedEvent",
    "Rank",
    "SchemaFeature",
    "SecurityAlert",
    "Visitor",
]
