"""Which optional database features a migration enabled (e.g. the TimescaleDB path)."""

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column


class SchemaFeature(Base):
    """A decision recorded at migration time, e.g. `timescaledb` enabled or not."""

    __tablename__ = "schema_features"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = now_column()
