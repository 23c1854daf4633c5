"""Reader fleet: status/LWT, heartbeats, command acks and liveness (domain.md §13.2)."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest.handlers.fleet import FleetPolicy, check_readers, is_operating_hour
from ingest.mqtt import connect
from shared.clock import FrozenClock, SystemClock
from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from shared.db.models import AuditLog, Device, SecurityAlert
from shared.domain.alerts import RateLimit
from tests.fixtures.ingest import RunningIngest
from tests.fixtures.mqtt import MqttProbe
from tests.fixtures.services import BrokerServer


def heartbeat(dropped: int = 0, depth: int = 3) -> bytes:
    return json.dumps(
        {
            "v": 1,
            "ts": None,
            "uptime_s": 12,
            "rssi": -61,
            "heap_free": 81234,
            "outbox": {"depth": depth, "dropped": dropped},
            "reader": {"ok": True, "resets": 1, "version": "0x92"},
            "time_synced": False,
            "mqtt_reconnects": 2,
            "fw": "1.0.0",
        }
    ).encode()


async def test_birth_and_heartbeat_update_registry_and_fleet_topic(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    await probe.subscribe(topics.fleet_reader(device))
    birth = {"v": 1, "state": "online", "fw": "1.0.0", "boot_id": "9f3e01aa", "ip": "10.0.0.7"}
    await probe.publish(topics.reader(device, ReaderTopic.STATUS), birth, retain=False)
    await probe.publish(topics.reader(device, ReaderTopic.HEARTBEAT), heartbeat())
    fleet = await probe.until(topics.fleet_reader(device), lambda m: m.json()["outbox_depth"] == 3)
    assert fleet.json()["online"] is True and fleet.json()["status"] == "pending"
    async with sessionmaker() as s:
        row = await s.get(Device, device)
    assert row is not None
    assert (row.fw, row.boot_id, row.ip, row.rssi, row.reader_resets, row.mqtt_reconnects) == (
        "1.0.0",
        "9f3e01aa",
        "10.0.0.7",
        -61,
        1,
        2,
    )


async def test_last_will_marks_reader_offline(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    await probe.subscribe(topics.fleet_reader(device))
    await probe.publish(topics.reader(device, ReaderTopic.STATUS), {"v": 1, "state": "online"})
    await probe.until(topics.fleet_reader(device), lambda m: m.json()["online"] is True)
    await probe.publish(topics.reader(device, ReaderTopic.STATUS), {"v": 1, "state": "offline"})
    await probe.until(topics.fleet_reader(device), lambda m: m.json()["online"] is False)
    async with sessionmaker() as s:
        row = await s.get(Device, device)
    assert row is not None and not row.online and row.offline_since is not None


async def test_outbox_drops_raise_a_critical_alert_once_per_increase(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    alert_topic = topics.alert("critical", "reader_outbox_dropped")
    await probe.subscribe(alert_topic, topics.fleet_reader(device))
    await probe.publish(topics.reader(device, ReaderTopic.HEARTBEAT), heartbeat(dropped=0))
    await probe.publish(topics.reader(device, ReaderTopic.HEARTBEAT), heartbeat(dropped=4))
    alert = await probe.until(alert_topic, lambda m: m.json()["subject"] == device)
    assert "dropped 4" in alert.json()["message"]
    await probe.publish(topics.reader(device, ReaderTopic.HEARTBEAT), heartbeat(dropped=4))
    await probe.until(topics.fleet_reader(device), lambda m: m.json()["outbox_dropped"] == 4)
    async with sessionmaker() as s:
        alerts = (
            (
                await s.execute(
                    select(SecurityAlert).where(SecurityAlert.alert_type == "reader_outbox_dropped")
                )
            )
            .scalars()
            .all()
        )
    assert len(alerts) == 1


async def test_command_ack_is_audited(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
) -> None:
    await probe.subscribe(topics.fleet_reader(device))
    ack = {"v": 1, "cmd_id": "c-17", "ok": False, "error": "unknown command", "ts": None}
    await probe.publish(topics.reader(device, ReaderTopic.CMD_ACK), ack)
    await probe.next(topics.fleet_reader(device))
    async with sessionmaker() as s:
        entry = (
            await s.execute(select(AuditLog).where(AuditLog.action == "reader_cmd_ack"))
        ).scalar_one()
    assert entry.entity_id == device and entry.details["error"] == "unknown command"


def test_operating_hours_window_handles_midnight() -> None:
    from datetime import time

    assert is_operating_hour(time(7), start=time(6), end=time(23))
    assert not is_operating_hour(time(23, 30), start=time(6), end=time(23))
    assert is_operating_hour(time(1), start=time(22), end=time(2))
    assert not is_operating_hour(time(3), start=time(22), end=time(2))


async def test_silent_reader_goes_offline_and_long_absence_alerts(
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    device: str,
    probe: MqttProbe,
) -> None:
    tz = ZoneInfo("America/Winnipeg")
    seen = datetime(2026, 11, 26, 15, 0, tzinfo=tz).astimezone(UTC)
    async with sessionmaker.begin() as s:
        await s.execute(
            text(
                "INSERT INTO devices (id, status, online, last_seen_at) VALUES (:d, 'active', true, :t)"
            ),
            {"d": device, "t": seen},
        )
    clock = FrozenClock(seen + timedelta(seconds=60))
    policy = FleetPolicy(
        period_s=30,
        offline_alert_s=600,
        hours_start=datetime.min.time(),
        hours_end=datetime.max.time(),
        timezone=tz,
        alert_limit=RateLimit(),
    )
    await probe.subscribe(topics.fleet_reader(device))
    async with connect(
        broker_server.url,
        client_id=f"{device}-chk",
        clock=SystemClock(),
        persistent=False,
    ) as link:
        assert await check_readers(link, sessionmaker, clock, policy) == []
        clock.advance(timedelta(seconds=60))  # 120 s silent > 3 x 30 s
        assert await check_readers(link, sessionmaker, clock, policy) == [device]
        state = await probe.until(topics.fleet_reader(device), lambda m: not m.json()["online"])
        assert state.retain is False or state.json()["device_id"] == device
        clock.advance(timedelta(minutes=15))
        await check_readers(link, sessionmaker, clock, policy)
    async with sessionmaker() as s:
        subjects = (
            (
                await s.execute(
                    select(SecurityAlert.subject).where(
                        SecurityAlert.alert_type == "device_offline"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert subjects == [device]
