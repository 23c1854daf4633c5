"""The ingest's subscriber against a scripted broker on a loopback socket: what a broken or
refusing broker does to it. (The real-broker behaviour is in the integration tests.)"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from ingest.inbound import Inbound
from ingest.mqtt import BrokerUnavailable, connect
from ingest.subscriber import LeanSubscriber, SubscriberClosed
from shared.clock import SystemClock
from shared.mqtt_wire import publish_packet
from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing

CONNACK_OK = b"\x20\x02\x00\x00"
Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def scripted_broker(script: Script) -> AsyncIterator[BrokerAddress]:
    """A TCP server on a free loopback port that plays `script` to each connection."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)  # the CONNECT
        await script(reader, writer)
        await writer.drain()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield BrokerAddress(f"mqtt://127.0.0.1:{port}")


async def test_a_malformed_packet_ends_the_message_stream_with_an_error() -> None:
    async def connack_then_garbage(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(CONNACK_OK + b"\x30\xff\xff\xff\xff\x01")  # five length bytes
        await reader.read()  # open until the client hangs up: the stream ends on the packet

    async with scripted_broker(connack_then_garbage) as address:
        subscriber = await LeanSubscriber.connect(address, "ingest-test")
        with pytest.raises(SubscriberClosed, match="remaining length"):
            async with asyncio.timeout(5):
                await subscriber.next_batch(10)
        with pytest.raises(SubscriberClosed):
            await subscriber.subscribe([("a/b", 1)], timeout_s=5)  # at once, not after 5 s
        await subscriber.close()


@pytest.mark.parametrize(
    ("code", "reason"), [(4, "bad user name or password"), (5, "not authorised"), (9, "code 9")]
)
async def test_a_refused_connection_says_why(code: int, reason: str) -> None:
    async def refuse(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"\x20\x02\x00" + bytes([code]))

    async with scripted_broker(refuse) as address:
        with pytest.raises(SubscriberClosed, match=reason):
            await LeanSubscriber.connect(address, "ingest-test")


async def test_a_broker_that_hangs_up_before_connack_is_unavailable() -> None:
    async def hang_up(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with scripted_broker(hang_up) as address:
        with pytest.raises(BrokerUnavailable, match=r"127\.0\.0\.1"):
            async with connect(
                f"mqtt://{address.host}:{address.port}", client_id="i", clock=SystemClock()
            ):
                pass


async def test_a_refused_subscription_is_an_error() -> None:
    async def refuse_subscription(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(CONNACK_OK)
        subscribe = await reader.read(1024)
        packet_id = subscribe[2:4]
        writer.write(b"\x90\x04" + packet_id + b"\x01\x80")  # first granted, second refused
        await reader.read()  # open until the client hangs up

    async with scripted_broker(refuse_subscription) as address:
        subscriber = await LeanSubscriber.connect(address, "ingest-test")
        with pytest.raises(SubscriberClosed, match="forbidden"):
            await subscriber.subscribe([("ok", 1), ("forbidden", 1)])
        await subscriber.close()


STAMP = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _publishes(count: int, qos: int = 1) -> tuple[list[Outgoing], bytes]:
    sent = [Outgoing(f"sentinel/v1/readers/r-{n}/scan", b"%d" % n, qos=qos) for n in range(count)]
    return sent, b"".join(publish_packet(m, n + 1) for n, m in enumerate(sent))


async def _take(subscriber: LeanSubscriber, count: int, max_items: int) -> list[list[Inbound]]:
    batches: list[list[Inbound]] = []
    async with asyncio.timeout(5):
        while sum(map(len, batches)) < count:
            batches.append(await subscriber.next_batch(max_items))
    return batches


@pytest.mark.parametrize("queue_max", [3, 1000])  # 3: the socket is left unread while full
async def test_messages_come_in_batches_in_order_stamped_as_read(queue_max: int) -> None:
    sent, packets = _publishes(10)

    async def ten_then_wait(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(CONNACK_OK + packets)
        await reader.read()

    async with scripted_broker(ten_then_wait) as address:
        subscriber = await LeanSubscriber.connect(
            address, "ingest-test", now=lambda: STAMP, queue_max=queue_max
        )
        batches = await _take(subscriber, 10, max_items=4)
        await subscriber.close()
        with pytest.raises(SubscriberClosed):
            await subscriber.next_batch(4)

    assert all(1 <= len(batch) <= 4 for batch in batches)
    got = [m for batch in batches for m in batch]
    assert [(m.topic, m.payload, m.mid, m.qos, m.retain) for m in got] == [
        (m.topic, m.payload, n + 1, 1, False) for n, m in enumerate(sent)
    ]
    assert {m.received_at for m in got} == {STAMP}  # stamped by the injected clock


async def test_a_batch_takes_everything_already_received() -> None:
    _, packets = _publishes(3)

    async def three_then_wait(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(CONNACK_OK + packets + publish_packet(Outgoing("end", b"", 0), 0))
        await reader.read()

    async with scripted_broker(three_then_wait) as address:
        subscriber = await LeanSubscriber.connect(address, "ingest-test")
        batches = await _take(subscriber, 4, max_items=10)
        await subscriber.close()

    # All four came in one read; had the first been taken alone, the rest would follow it.
    assert [len(b) for b in batches] in ([4], [1, 3])
    assert [m.payload for b in batches for m in b] == [b"0", b"1", b"2", b""]


async def test_once_the_connection_ends_nothing_more_is_handed_out() -> None:
    """Messages still queued cannot be acknowledged any more: the broker delivers them again."""
    _, packets = _publishes(3)

    async def three_then_garbage(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(CONNACK_OK + packets + b"\x30\xff\xff\xff\xff\x01")
        await reader.read()

    async with scripted_broker(three_then_garbage) as address:
        subscriber = await LeanSubscriber.connect(address, "ingest-test")
        read_loop = subscriber._tasks[0]
        await asyncio.wait({read_loop}, timeout=5)  # it ends at the garbage: all was read
        assert read_loop.done()
        for _ in range(2):  # and again: the end stays
            with pytest.raises(SubscriberClosed, match="remaining length"):
                async with asyncio.timeout(5):
                    await subscriber.next_batch(10)
        await subscriber.close()
