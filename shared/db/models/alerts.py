"""Security and operational alerts, one table (domain.md §1.6, §4)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class SecurityAlert(Base):
    """One alert; rate-limited per (type, subject) before insert."""

    __tablename__ = "security_alerts"
    __table_args__ = (
        Index("ix_security_alerts_type_subject_created", "alert_type", "subject", "created_at"),
        Index("ix_security_alerts_status_created", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    alert_type: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(100), server_default="")
    badge_serial: Mapped[str | None] = mapped_column(String(100))
    member_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    source: Mapped[str] = mapped_column(String(50), server_default="SYSTEM")
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledge_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()
