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
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from ingest import broker_conn
from ingest.inbound import Inbound
from shared.clock import SystemClock
from shared.mqtt_wire import (
    PacketReader,
    parse_publish,
    puback_packet,
    subscribe_packet,
)
from shared.settings import BrokerAddress

QUEUE_MAX = 10_000  # received, not yet taken; beyond it the socket is left unread
_SYSTEM_CLOCK = SystemClock()


class SubscriberClosed(Exception):
    """The connection is gone, or the broker refused it or a subscription."""


class LeanSubscriber(broker_conn.Connection):
    """Receives PUBLISH packets in order, as `Inbound` batches; `ack` sends their PUBACKs.

    A message is stamped with `now()` when its packet is read off the socket, and queued for
    `next_batch` as it is: the receive stage is this read loop, with no task or queue between it
    and the batches (each hop cost every message a few microseconds and an event-loop turn).
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        keepalive: int,
        *,
        now: Callable[[], datetime] = _SYSTEM_CLOCK.now,
        queue_max: int = QUEUE_MAX,
    ) -> None:
        self._queue: asyncio.Queue[Inbound | BaseException] = asyncio.Queue(queue_max)
        self._now = now
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
        now: Callable[[], datetime] = _SYSTEM_CLOCK.now,
        queue_max: int = QUEUE_MAX,
    ) -> "LeanSubscriber":
        """Open the connection and complete CONNECT/CONNACK; raises SubscriberClosed if refused.

        `now` stamps each message's receipt; at most `queue_max` messages wait to be taken.
        """
        reader, writer = await broker_conn.open_connection(
            address,
            client_id,
            clean=not persistent,
            tls=tls,
            keepalive=keepalive,
            timeout_s=timeout_s,
            refused=SubscriberClosed,
        )
        return cls(reader, writer, keepalive, now=now, queue_max=queue_max)

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

    async def next_batch(self, max_items: int) -> list[Inbound]:
        """Wait for one message, then add every message already received, up to `max_items`.

        Greedy draining costs no latency at low load and grows batches under load
        (backend-notes §4.3: a fixed batch wait adds that wait to every tap). Once the
        connection has ended it raises SubscriberClosed, even with messages still queued: they
        can no longer be acknowledged on it, and the broker delivers them again to the next
        session (deciding them now would only answer them twice).
        """
        queue = self._queue
        if self._closed is not None:
            raise SubscriberClosed(repr(self._closed)) from self._closed
        item = await queue.get()  # woken by a message, or by the end (`_fail`)
        batch: list[Inbound] = []
        while not isinstance(item, BaseException):
            batch.append(item)
            if len(batch) >= max_items or queue.empty():
                return batch
            item = queue.get_nowait()
        raise SubscriberClosed(repr(item)) from item

    def ack(self, messages: Iterable[Inbound]) -> None:
        """Send the PUBACKs of the QoS1 messages, in one write."""
        buffer = bytearray()
        for message in messages:
            if message.qos == 1:
                buffer += puback_packet(message.mid)
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
                received_at = self._now()  # the packets of one read arrived together
                for header, body in packets:
                    kind = header >> 4
                    if kind == 3:  # PUBLISH
                        topic, payload, mid, qos, retain = parse_publish(header, body)
                        # Positional, in `Inbound`'s field order (keywords cost more per message).
                        received = Inbound(topic, payload, mid, qos, received_at, retain)
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
            # Whatever ended the loop, `next_batch` must hear of it: a silent end would leave
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
        # The end marker wakes a `next_batch` waiting on an empty queue; a full queue has no such
        # waiter, and the next call sees `_closed` first. No message is dropped to make room.
        if not self._queue.full():
            self._queue.put_nowait(exc)

    async def close(self) -> None:
        """Send DISCONNECT and close the socket (unacked messages stay with the broker)."""
        self._fail(SubscriberClosed("closed"))
        await broker_conn.disconnect(self._writer, self._tasks)
