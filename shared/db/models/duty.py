"""Duty tables: roles, positions, schedules, Duty Watch rules, overrides, live coverage, DDS.

Covers domain.md §1.4 and §5: weekly schedules and their assignments, the rules that make a
night a Duty Watch night, per-night overrides, live temporary coverage and the live DDS rows.
"""

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class DutyRole(Base):
    """`DDS` (single) or `DUTY_WATCH` (team); seeded, read-only through the API."""

    __tablename__ = "duty_roles"
    __table_args__ = (CheckConstraint("role_type IN ('single','team')", name="role_type"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    role_type: Mapped[str] = mapped_column(String(10))
    display_order: Mapped[int] = mapped_column(Integer, server_default="0")


class DutyPosition(Base):
    """A position of a team role (SWK, DSWK, QM, BM, APS×2)."""

    __tablename__ = "duty_positions"
    __table_args__ = (UniqueConstraint("duty_role_id", "code"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    duty_role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("duty_roles.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    max_slots: Mapped[int] = mapped_column(Integer, server_default="1")
    display_order: Mapped[int] = mapped_column(Integer, server_default="0")


class WeeklySchedule(Base):
    """One role's schedule for one Monday-based week."""

    __tablename__ = "weekly_schedules"
    __table_args__ = (
        UniqueConstraint("duty_role_id", "week_start_date"),
        CheckConstraint("status IN ('draft','published')", name="status"),
        CheckConstraint("extract(isodow FROM week_start_date) = 1", name="monday"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    duty_role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("duty_roles.id"))
    week_start_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), server_default="draft")
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    published_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class ScheduleAssignment(Base):
    """A member on a weekly schedule (a position for team roles, none for DDS)."""

    __tablename__ = "schedule_assignments"
    __table_args__ = (
        UniqueConstraint("schedule_id", "member_id"),
        CheckConstraint("status IN ('assigned','confirmed','released')", name="status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("weekly_schedules.id", ondelete="CASCADE")
    )
    duty_position_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("duty_positions.id"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), server_default="assigned")
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()


class DutyWatchRule(Base):
    """Which nights are Duty Watch nights (domain.md §5.3); `weekday` is ISO 1–7."""

    __tablename__ = "duty_watch_rules"
    __table_args__ = (
        CheckConstraint("recurrence IN ('weekly','monthly_nth_weekday')", name="recurrence"),
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("interval_weeks BETWEEN 1 AND 52", name="interval_weeks"),
        CheckConstraint(
            "ordinal IS NULL OR ordinal IN ('first','second','third','fourth','last')",
            name="ordinal",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(100))
    effective_start_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    recurrence: Mapped[str] = mapped_column(String(30))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    interval_weeks: Mapped[int] = mapped_column(Integer, server_default="1")
    ordinal: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = now_column()


class NightOverride(Base):
    """A per-night change to a Duty Watch week: replace, add or remove one person."""

    __tablename__ = "dw_night_overrides"
    __table_args__ = (
        UniqueConstraint("schedule_id", "night_date", "duty_position_id", "base_member_id"),
        CheckConstraint("override_type IN ('replace','add','remove')", name="override_type"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("weekly_schedules.id", ondelete="CASCADE")
    )
    night_date: Mapped[date] = mapped_column(Date)
    duty_position_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("duty_positions.id"))
    override_type: Mapped[str] = mapped_column(String(10))
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE")
    )
    base_member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE")
    )
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = now_column()


class LiveDutyAssignment(Base):
    """A present, qualified member covering a Duty Watch position right now (§5.5)."""

    __tablename__ = "live_duty_assignments"
    __table_args__ = (
        Index(
            "ix_live_duty_assignments_active",
            "duty_position_id",
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    duty_position_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("duty_positions.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_reason: Mapped[str | None] = mapped_column(String(30))
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )


class DdsAssignment(Base):
    """The live DDS record of an operational date (domain.md §1.4 `dds_assignments`)."""

    __tablename__ = "dds_assignments"
    __table_args__ = (
        CheckConstraint("status IN ('pending','active','released','transferred')", name="status"),
        Index("ix_dds_assignments_date_status", "operational_date", "status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    operational_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    transferred_to: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()
