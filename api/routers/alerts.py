"""`/api/alerts`: list, read, acknowledge and dismiss security and operational alerts.

Reading and closing need Command (level 4), so whoever may acknowledge may also see alerts
(Appendix B.18); the acting member always comes from the session, never from the body (B.3).
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import ClockDep, SessionDep
from api.operations_deps import AlertReader, Command, member_id_of
from api.schemas.alerts import AlertOut, AlertPage, CloseAlert
from api.schemas.common import errors
from api.services.audit import record_change
from shared.domain.alerts import AlertStatus
from shared.store import alert_lifecycle

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


@router.get("", response_model=AlertPage, responses=errors())
async def list_alerts(
    actor: AlertReader,
    session: SessionDep,
    status: AlertStatus | None = AlertStatus.ACTIVE,
    alert_type: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AlertPage:
    """Alerts, active ones by default (pass `status=` to see others)."""
    rows, total = await alert_lifecycle.list_alerts(
        session, status=status, alert_type=alert_type, limit=limit, offset=offset
    )
    return AlertPage(
        items=[AlertOut.model_validate(r, from_attributes=True) for r in rows], total=total
    )


@router.get("/{alert_id}", response_model=AlertOut, responses=errors(404))
async def get_alert(alert_id: UUID, actor: AlertReader, session: SessionDep) -> AlertOut:
    """One alert, whatever its status."""
    return AlertOut.model_validate(
        await alert_lifecycle.get_alert(session, alert_id), from_attributes=True
    )


async def _close(
    alert_id: UUID,
    status: AlertStatus,
    body: CloseAlert,
    actor: Command,
    session: SessionDep,
    clock: ClockDep,
) -> AlertOut:
    row = await alert_lifecycle.close_alert(
        session, alert_id, status=status, by=member_id_of(actor), note=body.note, now=clock.now()
    )
    action = "alert_acknowledge" if status is AlertStatus.ACKNOWLEDGED else "alert_dismiss"
    await record_change(session, actor, action, "security_alert", alert_id, note=body.note)
    return AlertOut.model_validate(row, from_attributes=True)


@router.post("/{alert_id}/acknowledge", response_model=AlertOut, responses=errors(404, 409))
async def acknowledge(
    alert_id: UUID, body: CloseAlert, actor: Command, session: SessionDep, clock: ClockDep
) -> AlertOut:
    """Acknowledge an active alert (Command); published on `alerts/acknowledged`."""
    return await _close(alert_id, AlertStatus.ACKNOWLEDGED, body, actor, session, clock)


@router.post("/{alert_id}/dismiss", response_model=AlertOut, responses=errors(404, 409))
async def dismiss(
    alert_id: UUID, body: CloseAlert, actor: Command, session: SessionDep, clock: ClockDep
) -> AlertOut:
    """Dismiss an active alert as not needing action (Command)."""
    return await _close(alert_id, AlertStatus.DISMISSED, body, actor, session, clock)
