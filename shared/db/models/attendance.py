"""Attendance tables: the `checkins` time series and the one-row-per-member current state."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column


class Checkin(Base):
    """One recorded check-in or check-out (domain.md §1.3).

    The primary key includes `at` so the table can be a TimescaleDB hypertable partitioned on
    it; idempotency lives in `processed_events`, not in a unique key here.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_member_at", "member_id", text("at DESC")),
        Index("ix_checkins_source_at", "source", text("at DESC")),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        PG_UUID(as_uuid=True),
        primary_key=True,
        default=uuid.uuid4,
        server_default=text("gen_random_uuid()"),
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    # References as the ORM sees them (it orders its inserts by them). In the database they
    # are statement triggers on the plain-PostgreSQL path, foreign keys on TimescaleDB's
    # (migration 0013): the same rule and error either way.
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    visitor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visitors.id"))
    badge_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("badges.id"))
    direction: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(50))
    method: Mapped[str] = mapped_column(String(20), server_default="badge")
    device_id: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[str | None] = mapped_column(String(100))
    clock_suspect: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    replayed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = now_column()


class MemberState(Base):
    """A member's latest check-in, locked `FOR UPDATE` to serialise that member's scans."""

    __tablename__ = "member_states"

    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), primary_key=True)
    direction: Mapped[str | None] = mapped_column(String(3))
    at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checkin_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    updated_at: Mapped[datetime] = now_column()
