"""The reader registry: first-contact registration, status and heartbeat updates."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.fleet import FleetReader
from shared.contracts.heartbeat import Heartbeat
from shared.contracts.status import ReaderStatus
from shared.db.models import Device


async def touch_devices(
    session: AsyncSession, device_ids: Sequence[str], *, now: datetime
) -> dict[str, str]:
    """Register unknown readers as `pending`, mark all as seen; return id → status."""
    if not device_ids:
        return {}
    ordered = sorted(set(device_ids))
    rows = await session.execute(
        text(
            """
            INSERT INTO devices (id, status, online, last_seen_at)
            SELECT unnest(CAST(:ids AS text[])), 'pending', true, :now
            ON CONFLICT (id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, online = true,
                offline_since = NULL
            RETURNING id, status
            """
        ),
        {"ids": ordered, "now": now},
    )
    return {r.id: r.status for r in rows}


async def apply_status(
    session: AsyncSession, device_id: str, status: ReaderStatus, *, now: datetime
) -> None:
    """Record a birth or Last Will message."""
    online = status.state == "online"
    await session.execute(
        text(
            """
            INSERT INTO devices (id, status, online, last_seen_at, fw, boot_id, ip)
            VALUES (:id, 'pending', :online, :now, :fw, :boot, :ip)
            ON CONFLICT (id) DO UPDATE SET online = :online, last_seen_at = :now,
                offline_since = CASE WHEN :online THEN NULL
                                     ELSE COALESCE(devices.offline_since, :now) END,
                fw = COALESCE(:fw, devices.fw), boot_id = COALESCE(:boot, devices.boot_id),
                ip = COALESCE(:ip, devices.ip)
            """
        ),
        {
            "id": device_id,
            "online": online,
            "now": now,
            "fw": status.fw,
            "boot": status.boot_id,
            "ip": status.ip,
        },
    )


async def apply_heartbeat(
    session: AsyncSession, device_id: str, beat: Heartbeat, *, now: datetime
) -> int:
    """Record a heartbeat; return the outbox `dropped` count it had before (for alerting)."""
    row = (
        await session.execute(
            text(
                """
                INSERT INTO devices (id, status, online, last_seen_at, fw, rssi, heap_free,
                    outbox_depth, outbox_dropped, reader_ok, reader_resets, time_synced,
                    mqtt_reconnects)
                VALUES (:id, 'pending', true, :now, :fw, :rssi, :heap, :depth, :dropped, :ok,
                    :resets, :synced, :reconnects)
                ON CONFLICT (id) DO UPDATE SET online = true, last_seen_at = :now,
                    offline_since = NULL,
                    fw = COALESCE(:fw, devices.fw), rssi = :rssi, heap_free = :heap,
                    outbox_depth = :depth, outbox_dropped = :dropped, reader_ok = :ok,
                    reader_resets = :resets, time_synced = :synced, mqtt_reconnects = :reconnects
                RETURNING (SELECT outbox_dropped FROM devices WHERE id = :id) AS before
                """
            ),
            {
                "id": device_id,
                "now": now,
                "fw": beat.fw,
                "rssi": beat.rssi,
                "heap": beat.heap_free,
                "depth": beat.outbox.depth,
                "dropped": beat.outbox.dropped,
                "ok": beat.reader.ok,
                "resets": beat.reader.resets,
                "synced": beat.time_synced,
                "reconnects": beat.mqtt_reconnects,
            },
        )
    ).one()
    return int(row.before or 0)


async def mark_silent_offline(session: AsyncSession, *, silent_since: datetime) -> list[str]:
    """Mark readers not seen since `silent_since` offline; return their ids."""
    rows = await session.execute(
        text(
            "UPDATE devices SET online = false, offline_since = last_seen_at"
            " WHERE online AND last_seen_at < :since RETURNING id"
        ),
        {"since": silent_since},
    )
    return [r.id for r in rows]


async def offline_longer_than(session: AsyncSession, *, since: datetime) -> list[str]:
    """Return readers (not disabled) that have been offline since before `since`."""
    rows = await session.execute(
        text(
            "SELECT id FROM devices WHERE NOT online AND status <> 'disabled'"
            " AND offline_since < :since ORDER BY id"
        ),
        {"since": since},
    )
    return [r.id for r in rows]


async def fleet_view(session: AsyncSession, device_ids: Sequence[str]) -> list[FleetReader]:
    """Return the retained fleet payloads for the given readers."""
    if not device_ids:
        return []
    rows = (await session.execute(select(Device).where(Device.id.in_(list(device_ids))))).scalars()
    return [
        FleetReader(
            device_id=d.id,
            status=d.status,
            online=d.online,
            last_seen=d.last_seen_at,
            fw=d.fw,
            rssi=d.rssi,
            outbox_depth=d.outbox_depth,
            outbox_dropped=d.outbox_dropped,
            reader_ok=d.reader_ok,
        )
        for d in rows
    ]
