"""Scheduled-job runs keyed by operational date: the at-most-once marker (Appendix B.2)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base


class JobRun(Base):
    """One completed run of a daily job (`rollover`, `lockup_warning`, ...) for one date."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(50), primary_key=True)
    operational_date: Mapped[date] = mapped_column(Date, primary_key=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
