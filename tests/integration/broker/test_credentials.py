"""Provisioning, rotation and revocation take effect on a running broker after its reload."""

import asyncio

import aiomqtt
import pytest

from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from tests.fixtures.mqtt import unique_name
from tests.fixtures.secure_broker import SecureBroker, open_client, wait_disconnected
from tools.provision import provision_reader, revoke_reader


async def test_revoked_reader_is_dropped_and_refused_after_reload(
    secure_broker: SecureBroker, request: pytest.FixtureRequest
) -> None:
    device_id = unique_name(request, "rdr")
    state_dir = secure_broker.state.root
    credentials = await asyncio.to_thread(provision_reader, device_id, state_dir=state_dir)
    await secure_broker.reload()
    async with open_client(secure_broker, device_id, credentials.password) as device:
        await device.publish(topics.reader(device_id, ReaderTopic.HEARTBEAT), b"alive")
        # The library's own reload (SIGHUP through the broker's pid file) drops the session.
        await asyncio.to_thread(revoke_reader, device_id, state_dir=state_dir)
        await wait_disconnected(device)
    with pytest.raises(aiomqtt.MqttCodeError, match=r"(?i)not authori"):
        async with open_client(secure_broker, device_id, credentials.password):
            pass


async def test_rotation_replaces_the_old_password(
    secure_broker: SecureBroker, request: pytest.FixtureRequest
) -> None:
    device_id = unique_name(request, "rdr")
    state_dir = secure_broker.state.root
    old = await asyncio.to_thread(provision_reader, device_id, state_dir=state_dir, reload=False)
    new = await asyncio.to_thread(
        provision_reader, device_id, state_dir=state_dir, rotate=True, reload=False
    )
    assert new.password != old.password
    await secure_broker.reload()
    with pytest.raises(aiomqtt.MqttCodeError, match=r"(?i)not authori"):
        async with open_client(secure_broker, device_id, old.password):
            pass
    async with open_client(secure_broker, device_id, new.password) as device:
        await device.publish(topics.reader(device_id, ReaderTopic.HEARTBEAT), b"rotated")
