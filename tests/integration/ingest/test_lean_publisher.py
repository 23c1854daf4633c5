"""The ingest's own publisher against a real Mosquitto: sends back to back, acks awaited later.

The pipeline writes a batch's messages without waiting for the PUBACKs of the batch before
(`ingest.app._process`); these tests hold the broker still (SIGSTOP) to show what waits and
what does not, on a broker of their own.
"""

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from ingest import mqtt
from ingest import publisher as publisher_module
from ingest.inbound import Inbound
from ingest.mqtt import BrokerUnavailable
from ingest.publisher import LeanPublisher, PublisherClosed
from shared import event_loop
from shared.clock import SystemClock
from shared.event_loop import EventLoopName
from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing
from tests.fixtures.mqtt import MqttProbe, open_probe, unique_name
from tools.localservices.mosquitto import Mosquitto


def _pause(broker: Mosquitto) -> None:
    assert broker.process is not None
    broker.process.send_signal(signal.SIGSTOP)


def _resume(broker: Mosquitto) -> None:
    assert broker.process is not None
    broker.process.send_signal(signal.SIGCONT)


@asynccontextmanager
async def _watched(
    broker: Mosquitto, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[LeanPublisher, MqttProbe, str]]:
    """A publisher, and a probe subscribed to the topic it publishes on."""
    topic = unique_name(request, "t")
    async with open_probe(broker.url, unique_name(request, "probe")) as probe:
        await probe.subscribe(topic)
        publisher = await LeanPublisher.connect(BrokerAddress(broker.url), "pub")
        try:
            yield publisher, probe, topic
        finally:
            await publisher.close()


def _messages(topic: str, *names: str) -> list[Outgoing]:
    return [Outgoing(topic, name.encode()) for name in names]


async def test_sends_go_out_in_call_order_before_the_broker_answers(
    own_broker: Mosquitto, request: pytest.FixtureRequest
) -> None:
    async with _watched(own_broker, request) as (publisher, probe, topic):
        _pause(own_broker)
        first = await publisher.send(_messages(topic, "a1", "a2", "a3"))
        second = await publisher.send(_messages(topic, "b1", "b2"))
        # Both written while the broker is still: neither is acknowledged yet.
        assert not first.done() and not second.done()
        _resume(own_broker)
        async with asyncio.timeout(5):
            await publisher.confirmed(first)
            await publisher.confirmed(second)
        got = await probe.collect(topic, 5)
    assert [m.payload for m in got] == [b"a1", b"a2", b"a3", b"b1", b"b2"]


async def test_a_send_waits_for_room_when_too_many_await_their_acks(
    own_broker: Mosquitto, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publisher_module, "MAX_UNACKED", 3)
    async with _watched(own_broker, request) as (publisher, probe, topic):
        _pause(own_broker)
        first = await publisher.send(_messages(topic, "a1", "a2"))
        waiting = asyncio.create_task(publisher.send(_messages(topic, "b1", "b2")))
        done, _ = await asyncio.wait([waiting], timeout=0.3)  # it must not go out now
        assert not done
        _resume(own_broker)
        async with asyncio.timeout(5):
            await publisher.confirmed(first)
            await publisher.confirmed(await waiting)
        got = await probe.collect(topic, 4)
        with pytest.raises(ValueError, match="at most 3"):
            await publisher.send(_messages(topic, "c1", "c2", "c3", "c4"))
    assert [m.payload for m in got] == [b"a1", b"a2", b"b1", b"b2"]


async def test_a_lost_connection_fails_the_acknowledgements_still_awaited(
    own_broker: Mosquitto, request: pytest.FixtureRequest
) -> None:
    publisher = await LeanPublisher.connect(BrokerAddress(own_broker.url), "pub")
    try:
        _pause(own_broker)
        acked = await publisher.send(_messages(unique_name(request, "t"), "lost"))
        own_broker.stop(kill=True)  # the socket closes under the publisher
        with pytest.raises(PublisherClosed):
            await publisher.confirmed(acked, timeout_s=5)
        with pytest.raises(PublisherClosed):
            await publisher.send(_messages("t", "after"))
    finally:
        await publisher.close()


async def test_a_cancelled_waiter_leaves_the_acknowledgement_to_the_others(
    own_broker: Mosquitto, request: pytest.FixtureRequest
) -> None:
    async with _watched(own_broker, request) as (publisher, probe, topic):
        _pause(own_broker)
        acked = await publisher.send(_messages(topic, "a1"))
        with pytest.raises(TimeoutError):  # a caller that gives up: wait_for cancels it
            await asyncio.wait_for(publisher.confirmed(acked), 0.05)
        assert not acked.cancelled()  # sends waiting for room still see it complete
        _resume(own_broker)
        async with asyncio.timeout(5):
            await publisher.confirmed(acked)
        assert [m.payload for m in await probe.collect(topic, 1)] == [b"a1"]


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_dead_broker_is_reported_as_unavailable_on_either_event_loop(
    own_broker: Mosquitto, request: pytest.FixtureRequest, loop: EventLoopName
) -> None:
    """On uvloop a write to a reset socket raises RuntimeError, not OSError: still unavailable.

    The ingest's link (subscriber and publisher) to a broker killed under it: sends fail as
    BrokerUnavailable, PUBACKs are dropped quietly (the broker redelivers), and leaving the link
    raises nothing of its own, on the loop the service runs on as on asyncio's.
    """

    async def scenario() -> None:
        topic = unique_name(request, "t")
        async with mqtt.connect(
            own_broker.url,
            client_id=unique_name(request, "link"),
            clock=SystemClock(),
            subscriptions=[mqtt.Subscription(topic)],
        ) as link:
            await link.publish(_messages(topic, "before"))
            _pause(own_broker)
            acked = await link.send(_messages(topic, "unread"))  # left unread in its socket
            own_broker.stop(kill=True)  # so both connections are reset under the link
            with pytest.raises(BrokerUnavailable):
                await link.confirmed(acked)
            with pytest.raises(BrokerUnavailable):
                await link.send(_messages(topic, "after"))
            link.ack([Inbound(topic, b"x", 1, 1, datetime.now(UTC))])

    event_loop.run(scenario(), loop)
