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
from shared.mqtt_wire import publish_packet, read_packet
from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing

CHUNK = 500  # messages written before waiting for their acks


class PublisherClosed(Exception):
    """The connection is gone; pending publishes failed."""


class LeanPublisher(broker_conn.Connection):
    """Publishes batches at QoS 0/1 and waits for their PUBACKs."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, keepalive: int
    ) -> None:
        self._pending: dict[int, asyncio.Future[None]] = {}
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

    async def publish(self, messages: Sequence[Outgoing], *, timeout_s: float = 10.0) -> None:
        """Write the messages in order and wait until every QoS 1 one is acknowledged."""
        for start in range(0, len(messages), CHUNK):
            chunk = messages[start : start + CHUNK]
            if self._closed is not None:
                raise PublisherClosed(str(self._closed))
            loop = asyncio.get_running_loop()
            buffer = bytearray()
            waiting: list[asyncio.Future[None]] = []
            for message in chunk:
                packet_id = 0
                if message.qos:
                    packet_id = self._take_id()
                    future: asyncio.Future[None] = loop.create_future()
                    self._pending[packet_id] = future
                    waiting.append(future)
                buffer += publish_packet(message, packet_id)
            self._writer.write(bytes(buffer))
            try:
                async with asyncio.timeout(timeout_s):
                    await self._writer.drain()
                    if waiting:
                        await asyncio.gather(*waiting)
            except (OSError, TimeoutError) as exc:
                self._fail(exc)
                raise PublisherClosed(f"publish failed: {exc!r}") from exc

    async def _read_loop(self) -> None:
        try:
            while True:
                header, body = await read_packet(self._reader)
                if header >> 4 == 4 and len(body) >= 2:  # PUBACK
                    future = self._pending.pop(struct.unpack("!H", body[:2])[0], None)
                    if future is not None and not future.done():
                        future.set_result(None)
        except (OSError, asyncio.IncompleteReadError) as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if self._closed is None:
            self._closed = exc
        for future in self._pending.values():
            if not future.done():
                future.set_exception(PublisherClosed(repr(exc)))
        self._pending.clear()

    async def close(self) -> None:
        """Send DISCONNECT and close the socket."""
        self._fail(PublisherClosed("closed"))
        await broker_conn.disconnect(self._writer, self._tasks)
