"""A lean MQTT 3.1.1 subscriber: persistent session, QoS1 messages acknowledged on request.

The ingest acknowledges a scan only after the transaction holding it committed, so the broker
redelivers anything in flight after a crash. The general-purpose stack (aiomqtt over paho,
reached through its private client for manual acks, aiomqtt issue #345) spent about a fifth of
the ingest's CPU per message on its callbacks, locks and queues; here a PUBLISH is decoded
straight from the stream and a batch's PUBACKs go out in one write. It only subscribes: the
ingest publishes through `publisher.LeanPublisher` on its own connection.
"""

import asyncio
import ssl
import struct
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass

from ingest import broker_conn
from shared.mqtt_wire import (
    PacketReader,
    parse_publish,
    puback_packet,
    subscribe_packet,
)
from shared.settings import BrokerAddress

QUEUE_MAX = 10_000  # received, not yet taken; beyond it the socket is left unread


class SubscriberClosed(Exception):
    """The connection is gone, or the broker refused it or a subscription."""


@dataclass(frozen=True, slots=True)
class Received:
    """One PUBLISH from the broker."""

    topic: str
    payload: bytes
    mid: int  # the packet id (0 at QoS 0)
    qos: int
    retain: bool


class LeanSubscriber(broker_conn.Connection):
    """Receives PUBLISH packets in order; `ack` sends their PUBACKs."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, keepalive: int
    ) -> None:
        self._queue: asyncio.Queue[Received | BaseException] = asyncio.Queue(QUEUE_MAX)
        self._subacks: dict[int, asyncio.Future[bytes]] = {}
        super().__init__(reader, writer, keepalive)

    @classmethod
    async def connect(
        cls,
        address: BrokerAddress,
        client_id: str,
        *,
        persistent: bool = True,
        tls: ssl.SSLContext | None = None,
        keepalive: int = 30,
        timeout_s: float = 10.0,
    ) -> "LeanSubscriber":
        """Open the connection and complete CONNECT/CONNACK; raises SubscriberClosed if refused."""
        reader, writer = await broker_conn.open_connection(
            address,
            client_id,
            clean=not persistent,
            tls=tls,
            keepalive=keepalive,
            timeout_s=timeout_s,
            refused=SubscriberClosed,
        )
        return cls(reader, writer, keepalive)

    async def subscribe(self, filters: Sequence[tuple[str, int]], *, timeout_s: float = 10) -> None:
        """Subscribe and wait for SUBACK; raises SubscriberClosed if a filter is refused."""
        if not filters:
            return  # a SUBSCRIBE must carry at least one filter (MQTT 3.1.1 §3.8.3)
        if self._closed is not None:
            raise SubscriberClosed(f"connection closed: {self._closed!r}")
        packet_id = self._next_id
        self._next_id = packet_id % 65535 + 1
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._subacks[packet_id] = future
        try:
            self._writer.write(subscribe_packet(list(filters), packet_id))
            async with asyncio.timeout(timeout_s):
                await self._writer.drain()
                granted = await future
        finally:
            self._subacks.pop(packet_id, None)
        refused = [
            topic for (topic, _), code in zip(filters, granted, strict=False) if code >= 0x80
        ]
        if refused:
            raise SubscriberClosed(f"broker refused the subscription to {refused}")

    async def messages(self) -> AsyncIterator[Received]:
        """Yield messages as they arrive; raises SubscriberClosed when the connection ends."""
        while True:
            item = await self._queue.get()
            if isinstance(item, BaseException):
                self._queue.put_nowait(item)  # for any later reader
                raise SubscriberClosed(repr(item)) from item
            yield item

    def ack(self, messages: Iterable[Received | tuple[int, int]]) -> None:
        """Send the PUBACKs of QoS1 messages (given as messages or (mid, qos)), in one write."""
        buffer = bytearray()
        for message in messages:
            mid, qos = (message.mid, message.qos) if isinstance(message, Received) else message
            if qos == 1:
                buffer += puback_packet(mid)
        if buffer and self._closed is None:
            # Lost meanwhile: dropped; the broker redelivers what was not acknowledged.
            broker_conn.write_if_open(self._writer, bytes(buffer))

    async def _read_loop(self) -> None:
        stream = PacketReader(self._reader)
        queue = self._queue
        try:
            while True:
                # The broker answers our pings, so silence this long means a dead link.
                async with asyncio.timeout(self._keepalive * 1.5):
                    packets = await stream.packets()
                for header, body in packets:
                    kind = header >> 4
                    if kind == 3:  # PUBLISH
                        received = Received(*parse_publish(header, body))
                        if queue.full():
                            await queue.put(received)  # the ingest is behind: wait for room
                        else:
                            queue.put_nowait(received)
                    elif kind == 9 and len(body) >= 2:  # SUBACK
                        future = self._subacks.pop(struct.unpack_from("!H", body)[0], None)
                        if future is not None and not future.done():
                            future.set_result(body[2:])
        except asyncio.CancelledError:
            self._fail(SubscriberClosed("closed"))
            raise
        except Exception as exc:
            # Whatever ended the loop, `messages()` must hear of it: a silent end would leave
            # the ingest waiting forever on a connection the pings keep alive.
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if self._closed is not None:
            return
        self._closed = exc
        for future in self._subacks.values():
            if not future.done():
                future.set_exception(SubscriberClosed(repr(exc)))
        self._subacks.clear()
        try:
            self._queue.put_nowait(exc)
        except asyncio.QueueFull:
            # Readers are behind: make room for the end marker (the dropped message is unacked,
            # so the broker redelivers it on the next session).
            self._queue.get_nowait()
            self._queue.put_nowait(exc)

    async def close(self) -> None:
        """Send DISCONNECT and close the socket (unacked messages stay with the broker)."""
        self._fail(SubscriberClosed("closed"))
        await broker_conn.disconnect(self._writer, self._tasks)
