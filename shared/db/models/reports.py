"""Report configuration and bookkeeping: training years, stat holidays, settings, audit log."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class TrainingYear(Base):
    """A training year with its holiday exclusions and day exceptions (domain.md §1.6)."""

    __tablename__ = "training_years"
    __table_args__ = (
        CheckConstraint("start_on <= end_on", name="dates_ordered"),
        # At most one current training year (§9 "single current").
        Index(
            "uq_training_years_current",
            "is_current",
            unique=True,
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(50), unique=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    # [{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "name": str}]
    holiday_exclusions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    # [{"date": "YYYY-MM-DD", "type": "day_off|cancelled_training|cancelled_admin"}]
    day_exceptions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    is_current: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class StatHoliday(Base):
    """A statutory holiday; one per date (domain.md §1.6)."""

    __tablename__ = "stat_holidays"

    id: Mapped[uuid.UUID] = uuid_pk()
    holiday_on: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # Null = federal, else a province code such as `MB`.
    province: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = now_column()


class ReportSetting(Base):
    """One report-settings key and its JSON value (domain.md §9)."""

    __tablename__ = "report_settings"

    key: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = now_column()
    updated_by: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))


class ReportAuditLog(Base):
    """One generated report: who asked for what, in which format, how big and how long."""

    __tablename__ = "report_audit_log"
    __table_args__ = (Index("ix_report_audit_log_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    report_type: Mapped[str] = mapped_column(String(50))
    output_format: Mapped[str] = mapped_column(String(10))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    row_count: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    # `member` (API session), `cli` or `system`.
    actor_type: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    created_at: Mapped[datetime] = now_column()
