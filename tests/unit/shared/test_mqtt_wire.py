"""MQTT 3.1.1 framing: what we encode decodes to the same message, bad bodies are refused."""

import asyncio
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.mqtt_wire import (
    connect_packet,
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
