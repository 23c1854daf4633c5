"""Alert lifecycle: list, acknowledge, dismiss (domain.md §4.4), with the MQTT message.

Raising lives in `shared.store.alerts`; this module owns what happens after: an `active` alert
becomes `acknowledged` or `dismissed` exactly once, recorded with who and when.
"""

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import topics
from shared.contracts.alert import AlertAcknowledged
from shared.db.models import SecurityAlert
from shared.domain.alerts import AlertStatus, AlertType
from shared.errors import NotFound, RuleViolation
from shared.store.outbox import Outgoing, enqueue


async def list_alerts(
    session: AsyncSession,
    *,
    status: AlertStatus | None,
    alert_type: str | None,
    limit: int,
    offset: int,
) -> tuple[list[SecurityAlert], int]:
    """Return alerts newest first with the total matching."""
    stmt = select(SecurityAlert)
    count = select(func.count()).select_from(SecurityAlert)
    if status is not None:
        stmt, count = (
            stmt.where(SecurityAlert.status == status.value),
            count.where(SecurityAlert.status == status.value),
        )
    if alert_type is not None:
        stmt, count = (
            stmt.where(SecurityAlert.alert_type == alert_type),
            count.where(SecurityAlert.alert_type == alert_type),
        )
    rows = await session.scalars(
        stmt.order_by(SecurityAlert.created_at.desc(), SecurityAlert.id).limit(limit).offset(offset)
    )
    return list(rows), int(await session.scalar(count) or 0)


async def get_alert(
    session: AsyncSession, alert_id: uuid.UUID, *, lock: bool = False
) -> SecurityAlert:
    """Return the alert or raise NotFound."""
    row = await session.get(SecurityAlert, alert_id, with_for_update=lock)
    if row is None:
        raise NotFound("alert_not_found", "Alert not found")
    return row


async def close_alert(
    session: AsyncSession,
    alert_id: uuid.UUID,
    *,
    status: AlertStatus,
    by: uuid.UUID,
    note: str | None,
    now: datetime,
) -> SecurityAlert:
    """Move an active alert to `status`; an acknowledgement is queued on MQTT."""
    row = await get_alert(session, alert_id, lock=True)
    if row.status != AlertStatus.ACTIVE.value:
        raise RuleViolation(
            "alert_not_active", f"The alert is already {row.status}", {"status": row.status}
        )
    await session.execute(
        update(SecurityAlert)
        .where(SecurityAlert.id == alert_id)
        .values(status=status.value, acknowledged_by=by, acknowledged_at=now, acknowledge_note=note)
    )
    await session.refresh(row)
    if status is AlertStatus.ACKNOWLEDGED:
        message = AlertAcknowledged(
            id=row.id,
            type=_type(row.alert_type),
            acknowledged_by=by,
            acknowledged_at=now,
            note=note,
        )
        await enqueue(
            session,
            [Outgoing(topics.ALERTS_ACKNOWLEDGED, message.to_bytes(), 1, False, str(row.id))],
        )
    return row


def _type(value: str) -> AlertType:
    try:
        return AlertType(value)
    except ValueError:
        return AlertType.SYSTEM
