"""MQTT 3.1.1 packet framing shared by the ingest publisher, the API's broker probe and tools.

Only what those need: CONNECT (clean session), PUBLISH (QoS 0/1), the remaining-length
encoding and reading one packet from a stream.
"""

import asyncio
import struct

from shared.store.outbox import Outgoing


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
