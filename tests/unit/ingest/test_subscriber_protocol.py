"""The ingest's subscriber against a scripted broker on a loopback socket: what a broken or
refusing broker does to it. (The real-broker behaviour is in the integration tests.)"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from ingest.mqtt import BrokerUnavailable, connect
from ingest.subscriber import LeanSubscriber, SubscriberClosed
from shared.clock import SystemClock
from shared.settings import BrokerAddress

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
                await anext(subscriber.messages())
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
