"""Lockup tables: cycles, transfers, executions and the responsibility log (domain.md §1.4)."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class LockupCycle(Base):
    """One lockup cycle (the source's `lockup_status` row); exactly one is active at a time.

    The rollover creates a secured cycle per operational date; an execution secures the cycle;
    reopening after an execution starts a new cycle.
    """

    __tablename__ = "lockup_cycles"
    __table_args__ = (
        CheckConstraint(
            "building_status IN ('secured','open','locking_up')", name="building_status"
        ),
        Index(
            "uq_lockup_cycles_active",
            "is_active",
            unique=True,
            postgresql_where=text("is_active"),
        ),
        Index("ix_lockup_cycles_operational_date", "operational_date", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    operational_date: Mapped[date] = mapped_column(Date)
    building_status: Mapped[str] = mapped_column(String(20), server_default="secured")
    holder_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    acquired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    secured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    secured_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class LockupTransfer(Base):
    """Lockup handed from one member to another."""

    __tablename__ = "lockup_transfers"
    __table_args__ = (Index("ix_lockup_transfers_transferred_at", "transferred_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lockup_cycles.id", ondelete="CASCADE"))
    from_member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    to_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    transferred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(30))
    notes: Mapped[str | None] = mapped_column(Text)
    performed_by: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))


class LockupExecution(Base):
    """The bulk checkout that secured a cycle (one per cycle)."""

    __tablename__ = "lockup_executions"
    __table_args__ = (Index("ix_lockup_executions_executed_at", "executed_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lockup_cycles.id", ondelete="CASCADE"), unique=True
    )
    executed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    executed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    members_checked_out: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    visitors_checked_out: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    total_checked_out: Mapped[int] = mapped_column(Integer, server_default="0")
    notes: Mapped[str | None] = mapped_column(Text)


class ResponsibilityLog(Base):
    """Who took, passed on or gave up DDS or lockup (`responsibility_audit_log`)."""

    __tablename__ = "responsibility_audit_log"
    __table_args__ = (
        CheckConstraint("tag_name IN ('DDS','Lockup')", name="tag_name"),
        Index("ix_responsibility_audit_log_tag_at", "tag_name", "at"),
        Index("ix_responsibility_audit_log_operational_date", "operational_date"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    tag_name: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(30))
    from_member_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    to_member_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    performed_by: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    performed_by_type: Mapped[str] = mapped_column(String(10), server_default="system")
    operational_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)
