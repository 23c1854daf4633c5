"""MQTT 3.1.1 packet framing shared by the ingest publisher, the API's broker probe and tools.

Only what those need: CONNECT, PUBLISH (QoS 0/1), SUBSCRIBE, PUBACK, the remaining-length
encoding and reading packets from a stream.
"""

import asyncio
import struct

from shared.store.outbox import Outgoing


async def read_packet(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Read one MQTT packet, nothing after it; return its first header byte and its body."""
    head = bytearray(await reader.readexactly(2))
    while (framed := _remaining_length(head, 1, len(head))) is None:
        head += await reader.readexactly(1)
    length = framed[1]
    body = await reader.readexactly(length) if length else b""
    return head[0], body


class PacketReader:
    """Reads MQTT packets from a stream, every complete one a read brought at once.

    A busy connection delivers hundreds of small packets per read; taking them from one buffer
    costs one await per read instead of two per packet (`read_packet`).
    """

    READ_SIZE = 65536

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader
        self._buffer = bytearray()

    async def packets(self) -> list[tuple[int, bytes]]:
        """The next complete packets (at least one), as (first header byte, body).

        Raises IncompleteReadError when the stream ends, ValueError on a malformed length.
        """
        while True:
            found = self._take()
            if found:
                return found
            data = await self._reader.read(self.READ_SIZE)
            if not data:
                raise asyncio.IncompleteReadError(bytes(self._buffer), None)
            self._buffer += data

    def _take(self) -> list[tuple[int, bytes]]:
        found: list[tuple[int, bytes]] = []
        buffer, start, end = self._buffer, 0, len(self._buffer)
        while True:
            try:
                framed = _remaining_length(buffer, start + 1, end)
            except ValueError:
                if not found:
                    raise
                break  # hand over the packets before it; the next call raises
            if framed is None:
                break
            at, length = framed
            if at + length > end:
                break  # the body is not complete yet
            found.append((buffer[start], bytes(buffer[at : at + length])))
            start = at + length
        if start:
            del buffer[:start]
        return found


def _remaining_length(buffer: bytearray, at: int, end: int) -> tuple[int, int] | None:
    """Decode the remaining length at `at` (MQTT 3.1.1 §2.2.3).

    Returns where the body starts and its length, or None if the buffer ends first.
    """
    length, shift = 0, 0
    while at < end:
        byte = buffer[at]
        at += 1
        length |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return at, length
        shift += 7
        if shift > 21:  # at most four length bytes
            raise ValueError("malformed remaining length")
    return None


def encode_length(n: int) -> bytes:
    """Encode an MQTT remaining length (MQTT 3.1.1 §2.2.3)."""
    if n < 0x4000:  # one or two bytes: every message Sentinel sends
        return bytes((n,)) if n < 0x80 else bytes((n & 0x7F | 0x80, n >> 7))
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
    client_id: str,
    *,
    keepalive: int,
    username: str | None,
    password: str | None,
    clean: bool = True,
) -> bytes:
    """Encode CONNECT (MQTT 3.1.1 §3.1); `clean=False` resumes the client id's session."""
    flags = 0x02 if clean else 0x00
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


_U16 = struct.Struct("!H")


def publish_packet(message: Outgoing, packet_id: int) -> bytes:
    """Encode PUBLISH (MQTT 3.1.1 §3.3); `packet_id` is used for QoS 1.

    Joined once from its parts: the ingest encodes three of these per scan.
    """
    topic = message.topic.encode()
    payload = message.payload
    header = (0x32 if message.qos else 0x30) | (1 if message.retain else 0)
    if message.qos:
        length = encode_length(len(topic) + len(payload) + 4)
        return b"".join(
            (bytes((header,)), length, _U16.pack(len(topic)), topic, _U16.pack(packet_id), payload)
        )
    length = encode_length(len(topic) + len(payload) + 2)
    return b"".join((bytes((header,)), length, _U16.pack(len(topic)), topic, payload))


def subscribe_packet(filters: list[tuple[str, int]], packet_id: int) -> bytes:
    """Encode SUBSCRIBE (MQTT 3.1.1 §3.8) for (topic filter, maximum QoS) pairs."""
    body = struct.pack("!H", packet_id)
    for topic, qos in filters:
        body += _string(topic) + bytes([qos])
    return b"\x82" + encode_length(len(body)) + body


def puback_packet(packet_id: int) -> bytes:
    """Encode PUBACK (MQTT 3.1.1 §3.4)."""
    return b"\x40\x02" + struct.pack("!H", packet_id)


def parse_publish(header: int, body: bytes) -> tuple[str, bytes, int, int, bool]:
    """Decode a received PUBLISH: (topic, payload, packet id or 0, QoS, retain).

    Raises ValueError for a body too short for its own lengths or a topic that is not UTF-8.
    """
    qos = (header >> 1) & 3
    if len(body) < 2:
        raise ValueError("PUBLISH without a topic")
    size = struct.unpack_from("!H", body)[0]
    offset = 2 + size
    if len(body) < offset:
        raise ValueError("PUBLISH topic longer than the packet")
    topic = body[2:offset].decode()
    packet_id = 0
    if qos:
        if len(body) < offset + 2:
            raise ValueError("PUBLISH without a packet id")
        packet_id = struct.unpack_from("!H", body, offset)[0]
        offset += 2
    return topic, body[offset:], packet_id, qos, bool(header & 1)
