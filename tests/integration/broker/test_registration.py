"""Provisioning registers readers in `devices` (active), rotation stamps them, revoking disables."""

import asyncio
import functools
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.models import AuditLog, Device
from tests.fixtures.mqtt import unique_name
from tools.provision import PrincipalExists, provision_reader, revoke_reader
from tools.provision.state import BrokerState


@pytest.fixture
def device_id(request: pytest.FixtureRequest) -> str:
    return unique_name(request, "rdr")


async def device_row(sm: async_sessionmaker[AsyncSession], device_id: str) -> Device:
    async with sm() as session:
        return (await session.execute(select(Device).where(Device.id == device_id))).scalar_one()


async def audit_actions(sm: async_sessionmaker[AsyncSession], device_id: str) -> list[str]:
    async with sm() as session:
        rows = await session.execute(
            select(AuditLog.action).where(AuditLog.entity_id == device_id).order_by(AuditLog.id)
        )
        return sorted(rows.scalars())


async def test_provisioned_reader_is_active_rotated_then_disabled_on_revoke(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    device_id: str,
    tmp_path: Path,
) -> None:
    provision = functools.partial(
        provision_reader, device_id, state_dir=tmp_path, database_url=database_url, reload=False
    )
    await asyncio.to_thread(provision, name="Main door")
    first = await device_row(sessionmaker, device_id)
    assert (first.status, first.name, first.credential_revoked_at) == ("active", "Main door", None)
    assert first.credential_rotated_at is not None

    with pytest.raises(PrincipalExists):
        await asyncio.to_thread(provision, name="Typo")
    assert (await device_row(sessionmaker, device_id)).name == "Main door"

    await asyncio.to_thread(provision, rotate=True)
    rotated = await device_row(sessionmaker, device_id)
    assert rotated.credential_rotated_at is not None
    assert rotated.credential_rotated_at > first.credential_rotated_at
    assert rotated.name == "Main door"

    await asyncio.to_thread(
        revoke_reader, device_id, state_dir=tmp_path, database_url=database_url, reload=False
    )
    revoked = await device_row(sessionmaker, device_id)
    assert revoked.status == "disabled" and revoked.credential_revoked_at is not None
    assert device_id not in BrokerState(tmp_path).principals()
    assert await audit_actions(sessionmaker, device_id) == [
        "reader_credentials_rotated",
        "reader_provisioned",
        "reader_revoked",
    ]


async def test_provisioning_activates_a_reader_first_seen_as_pending(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    device_id: str,
    tmp_path: Path,
) -> None:
    async with sessionmaker.begin() as session:
        session.add(Device(id=device_id, status="pending", fw="1.0.0"))
    await asyncio.to_thread(
        provision_reader, device_id, state_dir=tmp_path, database_url=database_url, reload=False
    )
    row = await device_row(sessionmaker, device_id)
    assert (row.status, row.fw) == ("active", "1.0.0")
