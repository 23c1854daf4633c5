"""Tags, qualification types and members' tags and qualifications (domain.md §1.2)."""

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class Tag(Base):
    """A display label (chip) for members; grants no rights."""

    __tablename__ = "tags"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    display_order: Mapped[int] = mapped_column(Integer, server_default="0")
    chip_variant: Mapped[str] = mapped_column(String(20), server_default="solid")
    chip_color: Mapped[str] = mapped_column(String(20), server_default="default")
    is_positional: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class MemberTag(Base):
    """A tag on a member."""

    __tablename__ = "member_tags"
    __table_args__ = (Index("ix_member_tags_tag_id", "tag_id"),)

    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = now_column()


class QualificationType(Base):
    """A qualification (DDS, SWK, ...); `can_receive_lockup` feeds lockup authority (§0.2.5)."""

    __tablename__ = "qualification_types"

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    can_receive_lockup: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    is_automatic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    display_order: Mapped[int] = mapped_column(Integer, server_default="0")
    tag_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tags.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = now_column()


class MemberQualification(Base):
    """A member's qualification; "active" = status active and not expired (§1.2)."""

    __tablename__ = "member_qualifications"
    __table_args__ = (
        UniqueConstraint("member_id", "qualification_type_id"),
        CheckConstraint("status IN ('active','expired','revoked')", name="status"),
        Index("ix_member_qualifications_type", "qualification_type_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    qualification_type_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("qualification_types.id", name="fk_member_qualifications_type")
    )
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    granted_at: Mapped[datetime] = now_column()
    granted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
