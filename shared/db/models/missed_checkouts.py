"""Missed check-outs: forced or corrected check-outs recorded per member (domain.md §1.3)."""

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class MissedCheckout(Base):
    """A check-out someone else recorded: `resolved_by` is `admin`, `daily_reset` or `lockup`."""

    __tablename__ = "missed_checkouts"
    __table_args__ = (Index("ix_missed_checkouts_member_id", "member_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    missed_on: Mapped[date] = mapped_column(Date)
    original_checkin_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    forced_checkout_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str] = mapped_column(String(30))
    resolved_by_member_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    lockup_execution_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()
