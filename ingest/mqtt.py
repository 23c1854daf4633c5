"""The only module that touches the MQTT client library (aiomqtt over paho-mqtt 2).

Sets what Sentinel needs and the libraries do not do by default: TCP_NODELAY (without it a
tap→feedback round trip takes ~250 ms, backend-notes §4.3), a persistent session with a stable
client id, and manual PUBACK so a scan is acknowledged only after its commit (aiomqtt has no
public switch; we reach its paho client, the way aiomqtt issue #345 describes). Outgoing
messages go through `publisher.LeanPublisher` on a second connection (`<client id>-pub`).
"""

import socket
import ssl
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiomqtt
import paho.mqtt.client as paho

from ingest.inbound import Inbound
from ingest.publisher import LeanPublisher, PublisherClosed
from shared.clock import Clock
from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing

NODELAY = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)
PUBLISH_TIMEOUT_S = 10.0


class BrokerUnavailable(Exception):
    """The broker cannot be reached or the connection was lost."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """A topic filter and its QoS."""

    topic: str
    qos: int = 1


class BrokerLink:
    """A connected client: receive with manual ack, publish with a timeout."""

    def __init__(self, client: aiomqtt.Client, publisher: LeanPublisher, clock: Clock) -> None:
        self._client = client
        self._publisher = publisher
        self._clock = clock

    async def messages(self) -> AsyncIterator[Inbound]:
        """Yield messages as they arrive; raises BrokerUnavailable when the link drops."""
        try:
            async for message in self._client.messages:
                payload = message.payload
                raw = payload if isinstance(payload, bytes | bytearray) else str(payload).encode()
                yield Inbound(
                    topic=message.topic.value,
                    payload=bytes(raw),
                    mid=message.mid,
                    qos=message.qos,
                    received_at=self._clock.now(),
                    retain=message.retain,
                )
        except aiomqtt.MqttError as exc:
            raise BrokerUnavailable(str(exc)) from exc

    def ack(self, messages: Sequence[Inbound]) -> None:
        """Send PUBACKs, in arrival order as MQTT 3.1.1 §4.6 asks, for QoS1 messages."""
        paho_client: paho.Client = self._client._client
        for message in messages:
            if message.qos > 0:
                paho_client.ack(message.mid, message.qos)

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        """Publish messages in order and wait for their PUBACKs, bounded by a timeout."""
        if not messages:
            return
        try:
            await self._publisher.publish(messages, timeout_s=PUBLISH_TIMEOUT_S)
        except PublisherClosed as exc:
            raise BrokerUnavailable(str(exc)) from exc


def _tls(address: BrokerAddress, ca_file: str | None) -> ssl.SSLContext | None:
    if not address.tls:
        return None
    return ssl.create_default_context(cafile=ca_file)


@asynccontextmanager
async def connect(
    url: str,
    *,
    client_id: str,
    clock: Clock,
    subscriptions: Sequence[Subscription] = (),
    persistent: bool = True,
    manual_ack: bool = True,
    ca_file: str | None = None,
    timeout_s: float = 10.0,
) -> AsyncIterator[BrokerLink]:
    """Connect, subscribe and yield a BrokerLink; raises BrokerUnavailable on failure."""
    address = BrokerAddress(url)
    client = aiomqtt.Client(
        address.host,
        address.port,
        username=address.username,
        password=address.password,
        identifier=client_id,
        clean_session=not persistent,
        protocol=aiomqtt.ProtocolVersion.V311,
        keepalive=30,
        timeout=timeout_s,
        socket_options=NODELAY,
        tls_context=_tls(address, ca_file),
        # paho's `_update_inflight` walks the in-flight messages on every PUBACK; we publish
        # through LeanPublisher, so this client only sends SUBSCRIBE and our manual PUBACKs.
        max_inflight_messages=20,
    )
    if manual_ack:
        client._client.manual_ack_set(True)
    try:
        async with client:
            publisher = await LeanPublisher.connect(
                address, f"{client_id}-pub"[:64], tls=_tls(address, ca_file), timeout_s=timeout_s
            )
            try:
                for sub in subscriptions:
                    await client.subscribe(sub.topic, qos=sub.qos)
                yield BrokerLink(client, publisher, clock)
            finally:
                await publisher.close()
    except (aiomqtt.MqttError, PublisherClosed, OSError, TimeoutError) as exc:
        raise BrokerUnavailable(f"broker {address.host}:{address.port}: {exc}") from exc
