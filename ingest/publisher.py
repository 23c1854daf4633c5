"""A lean MQTT 3.1.1 publisher: one connection, writes coalesced per batch, QoS1 acks by id.

The ingest publishes three to four messages per scan (feedback, check-in event, presence). The
general-purpose client stack (aiomqtt over paho) spends milliseconds per publish on tasks,
locks and a send per packet; here a batch becomes one buffer and one write, and a PUBACK is a
dictionary lookup. It only publishes: the subscription and manual acks stay in `mqtt.py`.
"""

import asyncio
import contextlib
import socket
import ssl
import struct
from collections.abc import Sequence

from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing

CHUNK = 500  # messages written before waiting for their acks


class PublisherClosed(Exception):
    """The connection is gone; pending publishes failed."""


async def read_packet(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Read one MQTT packet; return its first header byte and its body."""
    head = await reader.readexactly(2)
    length, shift, byte = head[1] & 0x7F, 7, head[1]
    while byte & 0x80:
        byte = (await reader.readexactly(1))[0]
        length |= (byte & 0x7F) << shift
        shift += 7
    body = await reader.readexactly(length) if length else b""
    return head[0], body


def encode_length(n: int) -> bytes:
    """Encode an MQTT remaining length (MQTT 3.1.1 §2.2.3)."""
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(value: str | bytes) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return struct.pack("!H", len(data)) + data


def connect_packet(
    client_id: str, *, keepalive: int, username: str | None, password: str | None
) -> bytes:
    """Encode CONNECT (clean session; MQTT 3.1.1 §3.1)."""
    flags = 0x02
    payload = _string(client_id)
    if username is not None:
        flags |= 0x80
        payload += _string(username)
        if password is not None:
            flags |= 0x40
            payload += _string(password)
    variable = _string("MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive)
    body = variable + payload
    return b"\x10" + encode_length(len(body)) + body


def publish_packet(message: Outgoing, packet_id: int) -> bytes:
    """Encode PUBLISH (MQTT 3.1.1 §3.3); `packet_id` is used for QoS 1."""
    header = 0x30 | (min(message.qos, 1) << 1) | (1 if message.retain else 0)
    body = _string(message.topic)
    if message.qos:
        body += struct.pack("!H", packet_id)
    body += message.payload
    return bytes([header]) + encode_length(len(body)) + body


class LeanPublisher:
    """Publishes batches at QoS 0/1 and waits for their PUBACKs."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, keepalive: int
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._keepalive = keepalive
        self._pending: dict[int, asyncio.Future[None]] = {}
        self._next_id = 1
        self._closed: BaseException | None = None
        self._tasks = [
            asyncio.create_task(self._read_loop()),
            asyncio.create_task(self._ping_loop()),
        ]

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
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(
                address.host,
                address.port,
                ssl=tls,
                server_hostname=address.host if tls else None,
            )
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            writer.write(
                connect_packet(
                    client_id,
                    keepalive=keepalive,
                    username=address.username,
                    password=address.password,
                )
            )
            await writer.drain()
            ack = await reader.readexactly(4)
        if ack[0] != 0x20 or ack[3] != 0:
            writer.close()
            raise PublisherClosed(f"broker refused the publisher connection (code {ack[3]})")
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

    async def _ping_loop(self) -> None:
        while self._closed is None:
            await asyncio.sleep(self._keepalive / 2)  # keepalive schedule
            with contextlib.suppress(OSError):
                self._writer.write(b"\xc0\x00")

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
        for task in self._tasks:
            task.cancel()
        with contextlib.suppress(OSError):
            self._writer.write(b"\xe0\x00")
            self._writer.close()
            async with asyncio.timeout(2):
                await self._writer.wait_closed()
        # asyncio.wait neither raises the tasks' CancelledError nor swallows our own.
        await asyncio.wait(self._tasks, timeout=2)
