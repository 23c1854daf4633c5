"""The ingest's own subscriber against a real Mosquitto: persistent session, manual PUBACK."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from ingest.subscriber import LeanSubscriber, Received, SubscriberClosed
from shared.settings import BrokerAddress
from tests.fixtures.mqtt import MqttProbe, unique_name
from tests.fixtures.services import BrokerServer


async def _next(subscriber: LeanSubscriber, stream: AsyncIterator[Received]) -> Received:
    async with asyncio.timeout(5):
        return await anext(stream)


async def test_an_unacked_message_is_redelivered_to_the_same_session_and_an_acked_one_is_not(
    broker_server: BrokerServer, probe: MqttProbe, request: pytest.FixtureRequest
) -> None:
    address = BrokerAddress(broker_server.url)
    client_id, topic = unique_name(request, "sub"), unique_name(request, "t") + "/scan"
    first = await LeanSubscriber.connect(address, client_id)
    await first.subscribe([(topic, 1)])
    await probe.publish(topic, b"one", qos=1)
    got = await _next(first, first.messages())
    assert (got.topic, got.payload, got.qos, got.retain) == (topic, b"one", 1, False)
    assert got.mid > 0
    await first.close()  # never acknowledged: the broker keeps it for the session

    second = await LeanSubscriber.connect(address, client_id)
    stream = second.messages()
    again = await _next(second, stream)
    assert again.payload == b"one"
    second.ack([again])
    await second.close()

    third = await LeanSubscriber.connect(address, client_id)
    await probe.publish(topic, b"two", qos=1)
    after = await _next(third, third.messages())
    assert after.payload == b"two"  # "one" was acknowledged: not delivered again
    third.ack([after])
    await third.close()


async def test_a_closed_connection_ends_the_stream_with_an_error(
    broker_server: BrokerServer, request: pytest.FixtureRequest
) -> None:
    subscriber = await LeanSubscriber.connect(
        BrokerAddress(broker_server.url), unique_name(request, "sub"), persistent=False
    )
    await subscriber.subscribe([("sentinel/v1/none", 1)])
    stream = subscriber.messages()
    await subscriber.close()
    with pytest.raises(SubscriberClosed):
        await _next(subscriber, stream)


async def test_a_refused_connection_says_why(broker_server: BrokerServer) -> None:
    # MQTT 3.1.1 allows an empty client id only with a clean session (§3.1.3.1).
    with pytest.raises(SubscriberClosed, match="identifier rejected"):
        await LeanSubscriber.connect(BrokerAddress(broker_server.url), "", persistent=True)
