"""Key/value settings stored as JSON (domain.md §1.6 `settings`)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column


class Setting(Base):
    """One setting; `key` matches `^[a-z0-9_.-]+$`."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    category: Mapped[str] = mapped_column(String(30), server_default="system")
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = now_column()
    updated_by: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
