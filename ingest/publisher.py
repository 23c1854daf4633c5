"""A lean MQTT 3.1.1 publisher: one connection, writes coalesced per batch, QoS1 acks by id.

The ingest publishes three to four messages per scan (feedback, check-in event, presence). The
general-purpose client stack (aiomqtt over paho) spends milliseconds per publish on tasks,
locks and a send per packet; here a batch becomes one buffer and one write, and a PUBACK is a
dictionary lookup. It only publishes: the subscription and manual acks stay in `mqtt.py`.
"""

import asyncio
import ssl
import struct
from collections.abc import Sequence

from ingest import broker_conn
from shared.mqtt_wire import PacketReader, publish_packet
from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing

CHUNK = 500  # messages `publish` writes before waiting for their acks
# QoS 1 messages awaiting their PUBACKs at most (packet ids are 16 bits); `send` waits beyond.
MAX_UNACKED = 50_000


class PublisherClosed(Exception):
    """The connection is gone; pending publishes failed."""


class _Acks:
    """The PUBACKs a chunk of QoS 1 publishes still waits for: one count, one future.

    A future per message gathered at the end cost about 7 % of the ingest's CPU at saturation
    (hundreds of callbacks per batch); a PUBACK now only decrements a count.
    """

    __slots__ = ("done", "left")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.left = 0
        self.done: asyncio.Future[None] = loop.create_future()

    def acked(self) -> None:
        self.left -= 1
        if self.left == 0 and not self.done.done():
            self.done.set_result(None)


class LeanPublisher(broker_conn.Connection):
    """Publishes batches at QoS 0/1 and waits for their PUBACKs."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, keepalive: int
    ) -> None:
        self._pending: dict[int, _Acks] = {}  # packet id → its chunk's count
        super().__init__(reader, writer, keepalive)

    @classmethod
    async def connect(
        cls,
        address: BrokerAddress,
        client_id: str,
        *,
        tls: ssl.SSLContext | None = None,
        keepalive: int = 30,
        timeout_s: float = 10.0,
    ) -> "LeanPublisher":
        """Open the connection and complete CONNECT/CONNACK."""
        reader, writer = await broker_conn.open_connection(
            address,
            client_id,
            clean=True,
            tls=tls,
            keepalive=keepalive,
            timeout_s=timeout_s,
            refused=PublisherClosed,
        )
        return cls(reader, writer, keepalive)

    def _take_id(self) -> int:
        while True:
            packet_id = self._next_id
            self._next_id = packet_id % 65535 + 1
            if packet_id not in self._pending:
                return packet_id

    async def send(
        self, messages: Sequence[Outgoing], *, timeout_s: float = 10.0
    ) -> "asyncio.Future[None]":
        """Write the messages now, after everything sent before; return their acknowledgement.

        The future completes once every QoS 1 message is acknowledged (PublisherClosed if the
        connection fails first): a caller can send the next batch before the broker has
        answered this one. One caller's sends go out in the order of its calls; another
        caller's send may go between them when this one waits. Waits only for the socket to
        drain when the transport holds more than its high-water mark, and for room when
        MAX_UNACKED messages await their PUBACKs (a single send of more is refused before
        anything is written; an ingest batch is at most 10,000 scans, about 30,000 messages).
        """
        wanted = sum(1 for m in messages if m.qos)
        if wanted > MAX_UNACKED:
            raise ValueError(f"{wanted} QoS 1 messages in one send; at most {MAX_UNACKED}")
        try:
            if len(self._pending) + wanted > MAX_UNACKED:
                async with asyncio.timeout(timeout_s):
                    while len(self._pending) + wanted > MAX_UNACKED:
                        # Only waits: the oldest send's outcome is its own caller's to hear.
                        await asyncio.wait({next(iter(self._pending.values())).done})
            if self._closed is not None:
                raise PublisherClosed(str(self._closed))
            acks = _Acks(asyncio.get_running_loop())
            buffer = bytearray()
            for message in messages:
                packet_id = 0
                if message.qos:
                    packet_id = self._take_id()
                    self._pending[packet_id] = acks
                    acks.left += 1
                buffer += publish_packet(message, packet_id)
            transport = self._writer.transport
            if not broker_conn.write_if_open(self._writer, bytes(buffer)):
                # Lost, and the read loop has not said so yet.
                raise ConnectionResetError("the connection to the broker is lost")
            if not acks.left:
                acks.done.set_result(None)
            # Most writes go straight to the socket: wait (bounded) only when the transport
            # holds more than its high-water mark, which is when a drain would wait. A
            # connection lost after the write is the read loop's to notice: it fails every
            # pending send.
            if transport.get_write_buffer_size() > transport.get_write_buffer_limits()[1]:
                async with asyncio.timeout(timeout_s):
                    await self._writer.drain()
        except (OSError, TimeoutError) as exc:
            self._fail(exc)
            raise PublisherClosed(f"publish failed: {exc!r}") from exc
        return acks.done

    async def confirmed(self, acked: "asyncio.Future[None]", *, timeout_s: float = 10.0) -> None:
        """Wait for a `send`'s acknowledgement; a broker silent for `timeout_s` fails the link."""
        if acked.done():  # usually, by the time a batch's flush has let it be confirmed
            acked.result()  # raises PublisherClosed if the link failed first
            return
        try:
            async with asyncio.timeout(timeout_s):
                # Shielded: a cancelled caller must not cancel the future the sends after it
                # may be waiting on for room.
                await asyncio.shield(acked)
        except TimeoutError as exc:
            self._fail(exc)
            raise PublisherClosed(f"publish failed: {exc!r}") from exc

    async def publish(self, messages: Sequence[Outgoing], *, timeout_s: float = 10.0) -> None:
        """Write the messages in order and wait until every QoS 1 one is acknowledged."""
        for start in range(0, len(messages), CHUNK):
            acked = await self.send(messages[start : start + CHUNK], timeout_s=timeout_s)
            await self.confirmed(acked, timeout_s=timeout_s)

    async def _read_loop(self) -> None:
        stream = PacketReader(self._reader)
        try:
            while True:
                for header, body in await stream.packets():
                    if header >> 4 == 4 and len(body) >= 2:  # PUBACK
                        acks = self._pending.pop(struct.unpack_from("!H", body)[0], None)
                        if acks is not None:
                            acks.acked()
        except Exception as exc:
            # Whatever ended the loop (a lost socket, a malformed packet), every send still
            # waiting must hear of it now, not at its timeout.
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if self._closed is None:
            self._closed = exc
        for acks in self._pending.values():
            if not acks.done.done():
                acks.done.set_exception(PublisherClosed(repr(exc)))
                acks.done.exception()  # retrieved: the send may have had no waiter yet
        self._pending.clear()

    async def close(self) -> None:
        """Send DISCONNECT and close the socket."""
        self._fail(PublisherClosed("closed"))
        await broker_conn.disconnect(self._writer, self._tasks)
