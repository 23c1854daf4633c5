"""Reader liveness: offline after three silent heartbeat periods, alerts on long absences.

Publishes the fleet state of readers that went silent, and raises `device_offline` when a
reader stays offline beyond a threshold during operating hours (domain.md §13.2).
"""

import asyncio
from dataclasses import dataclass
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import metrics
from ingest.dberrors import database_guard
from ingest.mqtt import BrokerLink
from shared.clock import Clock
from shared.contracts import topics
from shared.domain.alerts import AlertRequest, AlertType, RateLimit, Severity
from shared.store import alerts as alert_store
from shared.store import devices
from shared.store.outbox import Outgoing


@dataclass(frozen=True, slots=True)
class FleetPolicy:
    """When a reader counts as silent, and when its absence is worth an alert."""

    period_s: int
    offline_alert_s: int
    hours_start: time
    hours_end: time
    timezone: ZoneInfo
    alert_limit: RateLimit


def is_operating_hour(local: time, *, start: time, end: time) -> bool:
    """True when `local` lies in [start, end), including windows that cross midnight."""
    if start <= end:
        return start <= local < end
    return local >= start or local < end


async def check_readers(
    link: BrokerLink,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    policy: FleetPolicy,
) -> list[str]:
    """Mark silent readers offline, publish their state, alert on long absences; return ids."""
    now = clock.now()
    async with sessionmaker.begin() as session:
        silent = await devices.mark_silent_offline(
            session, silent_since=now - timedelta(seconds=3 * policy.period_s)
        )
        views = await devices.fleet_view(session, silent)
        online = await session.scalar(text("SELECT count(*) FROM devices WHERE online"))
        local = now.astimezone(policy.timezone).time()
        if policy.offline_alert_s and is_operating_hour(
            local, start=policy.hours_start, end=policy.hours_end
        ):
            missing = await devices.offline_longer_than(
                session, since=now - timedelta(seconds=policy.offline_alert_s)
            )
            for device_id in missing:
                request = AlertRequest(
                    AlertType.DEVICE_OFFLINE,
                    Severity.WARNING,
                    device_id,
                    f"Reader {device_id} has been offline for over "
                    f"{policy.offline_alert_s // 60} min",
                )
                await alert_store.raise_alert(
                    session, request, now=now, limit=policy.alert_limit, source=device_id
                )
    metrics.READERS_ONLINE.set(online or 0)
    await link.publish(
        [Outgoing(topics.fleet_reader(v.device_id), v.to_bytes(), 1, True) for v in views]
    )
    return silent


async def watch_readers(
    link: BrokerLink,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    policy: FleetPolicy,
) -> None:
    """Run the reader check once per heartbeat period."""
    while True:
        async with database_guard():
            await check_readers(link, sessionmaker, clock, policy)
        await asyncio.sleep(policy.period_s)  # a schedule, not synchronisation
