"""Configurable option tables: member types and statuses, visit types, badge statuses (§1.9)."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class _Option:
    """Columns every option table shares; `code` is what other tables store."""

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    chip_variant: Mapped[str] = mapped_column(String(20), server_default="solid")
    chip_color: Mapped[str] = mapped_column(String(20), server_default="default")
    display_order: Mapped[int] = mapped_column(Integer, server_default="0")
    is_system: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = now_column()


class MemberTypeOption(_Option, Base):
    """A member type (`class_a`, `reg_force`, ...)."""

    __tablename__ = "member_types"


class MemberStatusOption(_Option, Base):
    """A member status; only `active` members count as present (Appendix B 15)."""

    __tablename__ = "member_statuses"

    is_hidden: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class VisitTypeOption(_Option, Base):
    """A visit type (`contractor`, `guest`, ...)."""

    __tablename__ = "visit_types"


class BadgeStatusOption(_Option, Base):
    """Display copy of a badge status; the codes are fixed because the scan path relies on them."""

    __tablename__ = "badge_statuses"
