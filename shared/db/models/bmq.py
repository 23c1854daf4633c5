"""BMQ (Basic Military Qualification) courses and enrolments (domain.md §1.2)."""

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class BmqCourse(Base):
    """A course with its own training days and times."""

    __tablename__ = "bmq_courses"
    __table_args__ = (
        CheckConstraint("start_on < end_on", name="dates_ordered"),
        CheckConstraint("training_start < training_end", name="times_ordered"),
        CheckConstraint("cardinality(training_days) >= 1", name="has_days"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    training_start: Mapped[time] = mapped_column(Time)
    training_end: Mapped[time] = mapped_column(Time)
    # Lower-case weekday names, `monday` … `sunday`.
    training_days: Mapped[list[str]] = mapped_column(ARRAY(String(10)))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class BmqEnrollment(Base):
    """A member on a course; one row per (member, course)."""

    __tablename__ = "bmq_enrollments"
    __table_args__ = (
        UniqueConstraint("member_id", "course_id", name="uq_bmq_enrollments_member_course"),
        CheckConstraint("status IN ('enrolled','completed','withdrawn')", name="status"),
        Index("ix_bmq_enrollments_course_id", "course_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bmq_courses.id", ondelete="CASCADE"))
    enrolled_at: Mapped[datetime] = now_column()
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), server_default="enrolled")
