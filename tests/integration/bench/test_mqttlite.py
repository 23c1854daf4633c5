"""tools.bench.mqttlite: the load generator's bare QoS0 subscriber against the real broker."""

import asyncio

import pytest

from shared.settings import BrokerAddress
from tests.fixtures.mqtt import MqttProbe, unique_name
from tests.fixtures.services import BrokerServer
from tools.bench.mqttlite import LiteSubscriber


async def test_lite_subscriber_hands_over_every_publish_on_its_filters(
    broker_server: BrokerServer, probe: MqttProbe, request: pytest.FixtureRequest
) -> None:
    root = unique_name(request, "lite")
    got: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    sub = LiteSubscriber(lambda topic, payload: got.put_nowait((topic, payload)))
    address = BrokerAddress(broker_server.url)
    await sub.start(address.host, address.port, root, [f"{root}/a/+", f"{root}/b"])
    try:
        await probe.publish(f"{root}/a/1", b"one", qos=1)
        await probe.publish(f"{root}/elsewhere", b"not subscribed", qos=1)
        await probe.publish(f"{root}/b", b"", qos=0)
        await probe.publish(f"{root}/a/2", b"\x00\xffbinary", qos=1)

        async with asyncio.timeout(5):
            received = [await got.get() for _ in range(3)]
    finally:
        await sub.close()

    assert received == [
        (f"{root}/a/1", b"one"),
        (f"{root}/b", b""),
        (f"{root}/a/2", b"\x00\xffbinary"),
    ]
    assert got.empty()
