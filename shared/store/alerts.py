"""Raising alerts with the per-(type, subject) rate limit, and their outbox messages."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import topics
from shared.contracts.alert import AlertMessage
from shared.domain.alerts import AlertRequest, RateLimit, is_suppressed
from shared.store.outbox import Outgoing, QueuedMessage, enqueue


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """The outcome of raising: the new alert's id, or the existing one's when suppressed."""

    id: uuid.UUID | None
    created: bool
    queued: QueuedMessage | None = None


async def raise_alert(
    session: AsyncSession,
    request: AlertRequest,
    *,
    now: datetime,
    limit: RateLimit,
    source: str = "SYSTEM",
    badge_serial: str | None = None,
    member_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    correlation_id: str | None = None,
    relay_delay_s: float = 0.0,
) -> RaisedAlert:
    """Store the alert and queue its MQTT message unless the rate limit suppresses it."""
    # Serialise raisers of the same (type, subject) so two workers cannot both pass the check.
    key = f"alert:{request.type}:{request.subject}"
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
    recent = (
        await session.execute(
            text(
                "SELECT id, created_at FROM security_alerts WHERE alert_type = :t AND subject = :s"
                " AND created_at > :since ORDER BY created_at DESC"
            ),
            {"t": request.type.value, "s": request.subject, "since": now - limit.window},
        )
    ).all()
    if is_suppressed([r.created_at for r in recent], now=now, limit=limit):
        return RaisedAlert(recent[0].id if recent else None, created=False)
    alert_id = uuid.uuid4()
    await session.execute(
        text(
            "INSERT INTO security_alerts (id, alert_type, severity, subject, badge_serial,"
            " member_id, source, message, details, status, created_at)"
            " VALUES (:id, :t, :sev, :s, :badge, :member, :source, :msg,"
            " CAST(:details AS jsonb), 'active', :now)"
        ),
        {
            "id": alert_id,
            "t": request.type.value,
            "sev": request.severity.value,
            "s": request.subject,
            "badge": badge_serial,
            "member": member_id,
            "source": source,
            "msg": request.message,
            "details": _json(details or {}),
            "now": now,
        },
    )
    message = AlertMessage(
        id=alert_id,
        type=request.type,
        severity=request.severity,
        subject=request.subject,
        message=request.message,
        created_at=now,
    )
    topic = topics.alert(request.severity.value, request.type.value)
    outgoing = Outgoing(topic, message.to_bytes(), correlation_id=correlation_id)
    [outbox_id] = await enqueue(session, [outgoing], relay_delay_s=relay_delay_s)
    return RaisedAlert(alert_id, created=True, queued=QueuedMessage(outbox_id, outgoing))


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, default=str)
