"""The ingest's own subscriber against a real Mosquitto: persistent session, manual PUBACK."""

import asyncio

import pytest

from ingest.inbound import Inbound
from ingest.subscriber import LeanSubscriber, SubscriberClosed
from shared.settings import BrokerAddress
from tests.fixtures.mqtt import MqttProbe, unique_name
from tests.fixtures.services import BrokerServer


async def _next(subscriber: LeanSubscriber) -> Inbound:
    async with asyncio.timeout(5):
        (message,) = await subscriber.next_batch(1)
    return message


async def test_an_unacked_message_is_redelivered_to_the_same_session_and_an_acked_one_is_not(
    broker_server: BrokerServer, probe: MqttProbe, request: pytest.FixtureRequest
) -> None:
    address = BrokerAddress(broker_server.url)
    client_id, topic = unique_name(request, "sub"), unique_name(request, "t") + "/scan"
    first = await LeanSubscriber.connect(address, client_id)
    await first.subscribe([(topic, 1)])
    await probe.publish(topic, b"one", qos=1)
    got = await _next(first)
    assert (got.topic, got.payload, got.qos, got.retain) == (topic, b"one", 1, False)
    assert got.mid > 0
    await first.close()  # never acknowledged: the broker keeps it for the session

    second = await LeanSubscriber.connect(address, client_id)
    again = await _next(second)
    assert again.payload == b"one"
    second.ack([again])
    await second.close()

    third = await LeanSubscriber.connect(address, client_id)
    await probe.publish(topic, b"two", qos=1)
    after = await _next(third)
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
    await subscriber.close()
    with pytest.raises(SubscriberClosed):
        await _next(subscriber)


async def test_a_refused_connection_says_why(broker_server: BrokerServer) -> None:
    # MQTT 3.1.1 allows an empty client id only with a clean session (§3.1.3.1).
    with pytest.raises(SubscriberClosed, match="identifier rejected"):
        await LeanSubscriber.connect(BrokerAddress(broker_server.url), "", persistent=True)
