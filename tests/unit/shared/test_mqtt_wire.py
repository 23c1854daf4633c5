"""MQTT 3.1.1 framing: what we encode decodes to the same message, bad bodies are refused."""

import asyncio
import itertools
import struct
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.mqtt_wire import (
    PacketReader,
    connect_packet,
    encode_length,
    parse_publish,
    puback_packet,
    publish_packet,
    read_packet,
    subscribe_packet,
)
from shared.store.outbox import Outgoing

topics = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


def _split(packet: bytes) -> tuple[int, bytes]:
    async def read() -> tuple[int, bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(packet)
        return await read_packet(reader)

    return asyncio.run(read())


@given(
    topic=topics,
    payload=st.binary(max_size=400),
    qos=st.sampled_from([0, 1]),
    retain=st.booleans(),
    packet_id=st.integers(1, 65535),
)
def test_a_publish_decodes_to_what_was_encoded(
    topic: str, payload: bytes, qos: int, retain: bool, packet_id: int
) -> None:
    header, body = _split(publish_packet(Outgoing(topic, payload, qos, retain), packet_id))
    assert header >> 4 == 3
    assert parse_publish(header, body) == (topic, payload, packet_id if qos else 0, qos, retain)


# Around each boundary of the remaining length's one, two and three bytes.
@pytest.mark.parametrize("size", [0, 120, 121, 122, 123, 16376, 16377, 16378, 16379, 20000])
@pytest.mark.parametrize("qos", [0, 1])
def test_a_publish_of_any_length_decodes_to_what_was_encoded(size: int, qos: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    header, body = _split(publish_packet(Outgoing("t/x", payload, qos, False), 513))
    assert parse_publish(header, body) == ("t/x", payload, 513 if qos else 0, qos, False)


def _spec_length(n: int) -> bytes:
    """MQTT 3.1.1 §2.2.3's algorithm, as written there."""
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | 0x80 if n > 0 else byte)
        if n == 0:
            return bytes(out)


@given(st.one_of(st.integers(0, 268_435_455), st.sampled_from([127, 128, 16383, 16384])))
def test_the_remaining_length_is_encoded_as_the_spec_says(n: int) -> None:
    assert encode_length(n) == _spec_length(n)


@pytest.mark.parametrize(
    ("header", "body"),
    [
        (0x32, b"\x00"),  # no room for the topic length
        (0x32, b"\x00\x09abc"),  # topic longer than the packet
        (0x32, b"\x00\x01a\x00"),  # QoS 1 without a whole packet id
        (0x30, b"\x00\x02\xff\xfe"),  # topic not UTF-8
    ],
)
def test_a_malformed_publish_is_refused(header: int, body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_publish(header, body)


def test_subscribe_and_puback_layouts() -> None:
    header, body = _split(subscribe_packet([("a/b", 1), ("c", 0)], 7))
    assert header == 0x82
    assert body == b"\x00\x07" + b"\x00\x03a/b\x01" + b"\x00\x01c\x00"
    assert puback_packet(0x1234) == b"\x40\x02\x12\x34"


@pytest.mark.parametrize(("clean", "flag"), [(True, 0x02), (False, 0x00)])
def test_connect_asks_for_a_clean_or_resumed_session(clean: bool, flag: int) -> None:
    header, body = _split(
        connect_packet("ingest", keepalive=30, username="u", password="p", clean=clean)
    )
    assert header == 0x10
    assert body[:6] == b"\x00\x04MQTT" and body[6] == 4
    assert body[7] == 0xC0 | flag  # user name and password present
    assert struct.unpack("!H", body[8:10])[0] == 30


class _Chunks:
    """A stream whose every read returns the next chunk as it was cut (b"" at the end)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = list(chunks)

    async def read(self, n: int) -> bytes:
        return self._chunks.pop(0) if self._chunks else b""


def _read_all(chunks: list[bytes], count: int) -> list[tuple[int, bytes]]:
    """Read `count` packets with PacketReader from a stream cut into `chunks`."""

    async def read() -> list[tuple[int, bytes]]:
        stream = PacketReader(cast(asyncio.StreamReader, _Chunks(chunks)))
        got: list[tuple[int, bytes]] = []
        while len(got) < count:
            got.extend(await stream.packets())
        return got

    return asyncio.run(read())


@given(
    payloads=st.lists(st.binary(max_size=300), min_size=1, max_size=12),
    cuts=st.lists(st.integers(0, 4000), max_size=10),
)
def test_packets_split_anywhere_across_reads_come_out_whole_and_in_order(
    payloads: list[bytes], cuts: list[int]
) -> None:
    packets = [publish_packet(Outgoing("t/x", p, 1, False), i + 1) for i, p in enumerate(payloads)]
    stream = b"".join(packets)
    edges = sorted({0, len(stream), *(c % (len(stream) + 1) for c in cuts)})
    chunks = [stream[a:b] for a, b in itertools.pairwise(edges)]
    got = _read_all(chunks, len(packets))
    assert [parse_publish(h, b)[1] for h, b in got] == payloads
    assert [parse_publish(h, b)[2] for h, b in got] == list(range(1, len(payloads) + 1))


def test_a_packet_reader_meeting_the_end_of_the_stream_says_so() -> None:
    with pytest.raises(asyncio.IncompleteReadError):
        _read_all([puback_packet(7)[:3]], 1)  # a PUBACK cut short, then the end


def test_a_packet_reader_refuses_a_length_of_more_than_four_bytes() -> None:
    with pytest.raises(ValueError, match="malformed remaining length"):
        _read_all([b"\x30\xff\xff\xff\xff\x01"], 1)


def test_packets_before_a_malformed_length_are_handed_over_first() -> None:
    good = puback_packet(1) + puback_packet(2)

    async def read() -> tuple[list[tuple[int, bytes]], BaseException | None]:
        stream = PacketReader(cast(asyncio.StreamReader, _Chunks([good + b"\x30\xff\xff\xff\xff"])))
        first = await stream.packets()
        try:
            await stream.packets()
        except ValueError as exc:
            return first, exc
        return first, None

    first, error = asyncio.run(read())
    assert [struct.unpack("!H", body)[0] for _, body in first] == [1, 2]
    assert isinstance(error, ValueError)
