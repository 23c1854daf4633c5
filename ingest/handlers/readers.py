"""Reader fleet handling: birth/LWT status, heartbeats and command acks (domain.md §13.2)."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ingest.outcome import SELF_PUBLISH_GRACE_S, BatchOutcome
from ingest.policy import IngestPolicy
from ingest.stages.parse import Parsed
from shared.contracts import topics
from shared.contracts.command import CommandAck
from shared.contracts.heartbeat import Heartbeat
from shared.contracts.status import ReaderStatus
from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.store import alerts as alert_store
from shared.store import audit, devices
from shared.store.outbox import Outgoing


async def process_reader_messages(
    session: AsyncSession,
    parsed: list[Parsed],
    *,
    now: datetime,
    policy: IngestPolicy,
    outcome: BatchOutcome,
) -> None:
    """Apply status, heartbeat and ack messages; queue fleet topics and alerts."""
    touched: set[str] = set()
    for p in parsed:
        model = p.model
        if isinstance(model, ReaderStatus):
            await devices.apply_status(session, p.device_id, model, now=now)
        elif isinstance(model, Heartbeat):
            before = await devices.apply_heartbeat(session, p.device_id, model, now=now)
            if model.outbox.dropped > before:
                await _alert_dropped(session, p.device_id, model, before, now, policy, outcome)
        elif isinstance(model, CommandAck):
            await devices.touch_devices(session, [p.device_id], now=now)
            await audit.record(
                session,
                [
                    audit.AuditEntry(
                        "reader_cmd_ack",
                        "device",
                        p.device_id,
                        details={"cmd_id": model.cmd_id, "ok": model.ok, "error": model.error},
                        correlation_id=model.cmd_id,
                    )
                ],
            )
        else:
            continue
        touched.add(p.device_id)
    for view in await devices.fleet_view(session, sorted(touched)):
        outcome.retained.append(
            Outgoing(topics.fleet_reader(view.device_id), view.to_bytes(), 1, True)
        )


async def _alert_dropped(
    session: AsyncSession,
    device_id: str,
    beat: Heartbeat,
    before: int,
    now: datetime,
    policy: IngestPolicy,
    outcome: BatchOutcome,
) -> None:
    lost = beat.outbox.dropped - before
    request = AlertRequest(
        AlertType.READER_OUTBOX_DROPPED,
        Severity.CRITICAL,
        device_id,
        f"Reader {device_id} dropped {lost} offline scan(s) from a full outbox",
    )
    raised = await alert_store.raise_alert(
        session,
        request,
        now=now,
        limit=policy.alert_limit,
        source=device_id,
        details={"dropped_total": beat.outbox.dropped, "dropped_new": lost},
        relay_delay_s=SELF_PUBLISH_GRACE_S,
    )
    if raised.queued is not None:
        outcome.queue_outbox([raised.queued.id], [raised.queued.message])
