"""The ingest's own publisher against a real Mosquitto: sends back to back, acks awaited later.

The pipeline writes a batch's messages without waiting for the PUBACKs of the batch before
(`ingest.app._process`); these tests hold the broker still (SIGSTOP) to show what waits and
what does not, on a broker of their own.
"""

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest import publisher as publisher_module
from ingest.publisher import LeanPublisher, PublisherClosed
from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing
from tests.fixtures.mqtt import open_probe, unique_name
from tools.localservices.mosquitto import Mosquitto


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    own = Mosquitto(tmp_path / "broker")
    own.start()
    try:
        yield own
    finally:
        _resume(own)
        own.stop()


def _pause(broker: Mosquitto) -> None:
    assert broker.process is not None
    broker.process.send_signal(signal.SIGSTOP)


def _resume(broker: Mosquitto) -> None:
    if broker.process is not None and broker.process.poll() is None:
        broker.process.send_signal(signal.SIGCONT)


def _messages(topic: str, *names: str) -> list[Outgoing]:
    return [Outgoing(topic, name.encode()) for name in names]


async def test_sends_go_out_in_call_order_before_the_broker_answers(
    broker: Mosquitto, request: pytest.FixtureRequest
) -> None:
    topic = unique_name(request, "t")
    async with open_probe(broker.url, unique_name(request, "probe")) as probe:
        await probe.subscribe(topic)
        publisher = await LeanPublisher.connect(BrokerAddress(broker.url), "pub")
        try:
            _pause(broker)
            first = await publisher.send(_messages(topic, "a1", "a2", "a3"))
            second = await publisher.send(_messages(topic, "b1", "b2"))
            # Both written while the broker is still: neither is acknowledged yet.
            assert not first.done() and not second.done()
            _resume(broker)
            async with asyncio.timeout(5):
                await publisher.confirmed(first)
                await publisher.confirmed(second)
            got = await probe.collect(topic, 5)
        finally:
            await publisher.close()
    assert [m.payload for m in got] == [b"a1", b"a2", b"a3", b"b1", b"b2"]


async def test_a_send_waits_for_room_when_too_many_await_their_acks(
    broker: Mosquitto, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publisher_module, "MAX_UNACKED", 3)
    topic = unique_name(request, "t")
    async with open_probe(broker.url, unique_name(request, "probe")) as probe:
        await probe.subscribe(topic)
        publisher = await LeanPublisher.connect(BrokerAddress(broker.url), "pub")
        try:
            _pause(broker)
            first = await publisher.send(_messages(topic, "a1", "a2"))
            waiting = asyncio.create_task(publisher.send(_messages(topic, "b1", "b2")))
            done, _ = await asyncio.wait([waiting], timeout=0.3)  # it must not go out now
            assert not done
            _resume(broker)
            async with asyncio.timeout(5):
                await publisher.confirmed(first)
                await publisher.confirmed(await waiting)
            got = await probe.collect(topic, 4)
            with pytest.raises(ValueError, match="at most 3"):
                await publisher.send(_messages(topic, "c1", "c2", "c3", "c4"))
        finally:
            await publisher.close()
    assert [m.payload for m in got] == [b"a1", b"a2", b"b1", b"b2"]


async def test_a_lost_connection_fails_the_acknowledgements_still_awaited(
    broker: Mosquitto, request: pytest.FixtureRequest
) -> None:
    publisher = await LeanPublisher.connect(BrokerAddress(broker.url), "pub")
    try:
        _pause(broker)
        acked = await publisher.send(_messages(unique_name(request, "t"), "lost"))
        broker.stop(kill=True)  # the socket closes under the publisher
        with pytest.raises(PublisherClosed):
            await publisher.confirmed(acked, timeout_s=5)
        with pytest.raises(PublisherClosed):
            await publisher.send(_messages("t", "after"))
    finally:
        await publisher.close()
