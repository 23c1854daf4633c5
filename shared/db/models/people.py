"""People and identity tables: ranks, divisions, members, badges, visitors (domain.md §1.2)."""

import uuid
from datetime import date, datetime

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
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class Rank(Base):
    """A CAF rank with its seniority order."""

    __tablename__ = "ranks"

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    branch: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30))
    display_order: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ranks.id"))


class Division(Base):
    """A division of the unit (OPS, DECK, ...)."""

    __tablename__ = "divisions"

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()


class Member(Base):
    """A person who badges in."""

    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint("account_level BETWEEN 1 AND 10", name="account_level_range"),
        Index("ix_members_division_status", "division_id", "status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    service_number: Mapped[str] = mapped_column(String(20), unique=True)
    rank_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ranks.id"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    initials: Mapped[str] = mapped_column(String(10), server_default="")
    display_name: Mapped[str] = mapped_column(String(200))
    division_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("divisions.id"))
    member_type: Mapped[str] = mapped_column(
        String(20), ForeignKey("member_types.code"), server_default="class_a"
    )
    member_source: Mapped[str] = mapped_column(String(30), server_default="nominal_roll")
    # The configurable status code; only `active` counts as present (Appendix B 15).
    status: Mapped[str] = mapped_column(
        String(20), ForeignKey("member_statuses.code"), server_default="active"
    )
    email: Mapped[str | None] = mapped_column(String(255))
    mobile_phone: Mapped[str | None] = mapped_column(String(50))
    home_phone: Mapped[str | None] = mapped_column(String(30))
    employee_number: Mapped[str | None] = mapped_column(String(20))
    mess: Mapped[str | None] = mapped_column(String(50))
    moc: Mapped[str | None] = mapped_column(String(100))
    class_details: Mapped[str | None] = mapped_column(String(100))
    account_level: Mapped[int] = mapped_column(Integer, server_default="1")
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_pin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    missed_checkout_count: Mapped[int] = mapped_column(Integer, server_default="0")
    last_missed_checkout: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    # Attendance counts from here; null falls back to created_at (issue 7, domain.md §8.2).
    joined_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class Visitor(Base):
    """A visitor; present while `check_out_at` is null (domain.md §3.1)."""

    __tablename__ = "visitors"
    __table_args__ = (
        Index("ix_visitors_present", "check_out_at", postgresql_where=text("check_out_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    rank_prefix: Mapped[str | None] = mapped_column(String(50))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str | None] = mapped_column(String(200))
    visit_type: Mapped[str] = mapped_column(
        String(50), ForeignKey("visit_types.code"), server_default="guest"
    )
    visit_reason: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(200))
    mobile_phone: Mapped[str | None] = mapped_column(String(25))
    license_plate: Mapped[str | None] = mapped_column(String(20))
    visit_purpose: Mapped[str | None] = mapped_column(String(50))
    purpose_details: Mapped[str | None] = mapped_column(Text)
    recruitment_step: Mapped[str | None] = mapped_column(String(50))
    admin_notes: Mapped[str | None] = mapped_column(Text)
    check_in_method: Mapped[str] = mapped_column(String(30), server_default="admin_manual")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    host_member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    temporary_badge_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("badges.id"))
    check_in_at: Mapped[datetime] = now_column()
    check_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(50), server_default="ADMIN_MANUAL")


class Badge(Base):
    """An RFID badge; `serial_number` holds the canonical uppercase-hex UID."""

    __tablename__ = "badges"
    __table_args__ = (
        CheckConstraint(
            "assignment_type IN ('member','visitor','event','unassigned')", name="assignment_type"
        ),
        CheckConstraint(
            "status IN ('active','inactive','lost','damaged','decommissioned')", name="status"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    serial_number: Mapped[str] = mapped_column(String(100), unique=True)
    assignment_type: Mapped[str] = mapped_column(String(20), server_default="unassigned")
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()
