"""The reader registry (domain.md §13.2)."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column


class Device(Base):
    """A reader; auto-registered as `pending` on first contact unless pre-registered."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    online: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fw: Mapped[str | None] = mapped_column(String(40))
    boot_id: Mapped[str | None] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(45))
    rssi: Mapped[int | None] = mapped_column(Integer)
    heap_free: Mapped[int | None] = mapped_column(Integer)
    outbox_depth: Mapped[int | None] = mapped_column(Integer)
    outbox_dropped: Mapped[int | None] = mapped_column(Integer)
    reader_ok: Mapped[bool | None] = mapped_column(Boolean)
    reader_resets: Mapped[int | None] = mapped_column(Integer)
    time_synced: Mapped[bool | None] = mapped_column(Boolean)
    mqtt_reconnects: Mapped[int | None] = mapped_column(Integer)
    offline_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    credential_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    credential_revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = now_column()
