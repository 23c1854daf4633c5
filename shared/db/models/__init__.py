"""All ORM models, imported here so `Base.metadata` knows every table."""

from shared.db.models.alerts import SecurityAlert
from shared.db.models.attendance import Checkin, MemberState
from shared.db.models.audit import AuditLog
from shared.db.models.auth import ApiKey, AuthThrottle, MemberSession
from shared.db.models.bmq import BmqCourse, BmqEnrollment
from shared.db.models.config import Setting
from shared.db.models.devices import Device
from shared.db.models.duty import (
    DdsAssignment,
    DutyPosition,
    DutyRole,
    DutyWatchRule,
    LiveDutyAssignment,
    NightOverride,
    ScheduleAssignment,
    WeeklySchedule,
)
from shared.db.models.features import SchemaFeature
from shared.db.models.ingest import (
    DeadLetter,
    OutboxMessage,
    ProcessedEvent,
    ScanInputs,
    WalFlushes,
)
from shared.db.models.jobs import JobRun
from shared.db.models.lockup import (
    LockupCycle,
    LockupExecution,
    LockupTransfer,
    ResponsibilityLog,
)
from shared.db.models.missed_checkouts import MissedCheckout
from shared.db.models.options import (
    BadgeStatusOption,
    MemberStatusOption,
    MemberTypeOption,
    VisitTypeOption,
)
from shared.db.models.people import Badge, Division, Member, Rank, Visitor
from shared.db.models.qualifications import (
    MemberQualification,
    MemberTag,
    QualificationType,
    Tag,
)
from shared.db.models.reports import (
    ReportAuditLog,
    ReportSetting,
    StatHoliday,
    TrainingYear,
)

__all__ = [
    "ApiKey",
    "AuditLog",
    "AuthThrottle",
    "Badge",
    "BadgeStatusOption",
    "BmqCourse",
    "BmqEnrollment",
    "Checkin",
    "DdsAssignment",
    "DeadLetter",
    "Device",
    "Division",
    "DutyPosition",
    "DutyRole",
    "DutyWatchRule",
    "JobRun",
    "LiveDutyAssignment",
    "LockupCycle",
    "LockupExecution",
    "LockupTransfer",
    "Member",
    "MemberQualification",
    "MemberSession",
    "MemberState",
    "MemberStatusOption",
    "MemberTag",
    "MemberTypeOption",
    "MissedCheckout",
    "NightOverride",
    "OutboxMessage",
    "ProcessedEvent",
    "QualificationType",
    "Rank",
    "ReportAuditLog",
    "ReportSetting",
    "ResponsibilityLog",
    "ScanInputs",
    "ScheduleAssignment",
    "SchemaFeature",
    "SecurityAlert",
    "Setting",
    "StatHoliday",
    "Tag",
    "TrainingYear",
    "VisitTypeOption",
    "Visitor",
    "WalFlushes",
    "WeeklySchedule",
]
