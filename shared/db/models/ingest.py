"""Ingest bookkeeping: processed events (idempotency), dead letters and the publish outbox."""

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, now_column, uuid_pk


class ProcessedEvent(Base):
    """The stored decision for one reader event; a redelivery gets it back (§2.11 step 2)."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(40))
    result: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    display: Mapped[str | None] = mapped_column(String(200))
    member_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    checkin_id: Mapped[uuid.UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    clock_suspect: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = now_column()


class DeadLetter(Base):
    """A message that failed validation, kept with its reason (mqtt-contract.md)."""

    __tablename__ = "dead_letters"
    __table_args__ = (Index("ix_dead_letters_received_at", "received_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    topic: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    payload_size: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    error: Mapped[str] = mapped_column(Text)
    device_id: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """An MQTT message committed with the change it reports; relayed until published."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    qos: Mapped[int] = mapped_column(Integer, server_default="1")
    retain: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    correlation_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = now_column()
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    relay_after: Mapped[datetime] = now_column()


class ScanInputs(Base):
    """One row: a version raised by every committed change a scan decision reads (rev 0010).

    Triggers on badges, members, divisions, visitors, lockup cycles, DDS assignments and
    reader statuses raise it; the ingest's batch write fails if it moved since the read.
    """

    __tablename__ = "scan_inputs"
    __table_args__ = (CheckConstraint("id", name="one_row"),)

    id: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default=text("true"))
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class WalFlushes(Base):
    """One row the ingest updates with a durable commit, to flush its fast ones (rev 0011).

    See `ingest/durability.py`: a batch is acknowledged to the broker only after such a commit.
    """

    __tablename__ = "wal_flushes"
    __table_args__ = (CheckConstraint("id", name="one_row"),)

    id: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default=text("true"))
    flushes: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
