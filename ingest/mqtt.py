"""The ingest's broker edge: a lean subscriber and a lean publisher, two connections.

Sets what Sentinel needs: TCP_NODELAY (without it a tap→feedback round trip takes ~250 ms,
backend-notes §4.3), a persistent session with a stable client id, and manual PUBACK so a
scan is acknowledged only after its commit. Messages come in through
`subscriber.LeanSubscriber` and go out through `publisher.LeanPublisher` (`<client id>-pub`).
"""

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from ingest.inbound import Inbound
from ingest.publisher import LeanPublisher, PublisherClosed
from ingest.subscriber import QUEUE_MAX, LeanSubscriber, SubscriberClosed
from shared.clock import Clock
from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing

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

    def __init__(self, subscriber: LeanSubscriber, publisher: LeanPublisher) -> None:
        self._subscriber = subscriber
        self._publisher = publisher

    async def next_batch(self, max_items: int) -> list[Inbound]:
        """The messages received and not yet taken, at least one and at most `max_items`.

        Raises BrokerUnavailable once the link has dropped, even with messages still queued
        (unacknowledged, the broker delivers them again to the next session).
        """
        with _unavailable_when_closed():
            return await self._subscriber.next_batch(max_items)

    def ack(self, messages: Sequence[Inbound]) -> None:
        """Send PUBACKs, in arrival order as MQTT 3.1.1 §4.6 asks, for QoS1 messages."""
        self._subscriber.ack(messages)

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        """Publish messages in order and wait for their PUBACKs, bounded by a timeout."""
        if not messages:
            return
        with _unavailable_when_closed():
            await self._publisher.publish(messages, timeout_s=PUBLISH_TIMEOUT_S)

    async def send(self, messages: Sequence[Outgoing]) -> "asyncio.Future[None]":
        """Write messages now, in order after earlier ones; `confirmed` waits for their PUBACKs.

        Lets the pipeline write the next batch before the broker has acknowledged this one.
        """
        with _unavailable_when_closed():
            return await self._publisher.send(messages, timeout_s=PUBLISH_TIMEOUT_S)

    async def confirmed(self, acked: "asyncio.Future[None]") -> None:
        """Wait for a `send`'s PUBACKs, bounded by a timeout."""
        with _unavailable_when_closed():
            await self._publisher.confirmed(acked, timeout_s=PUBLISH_TIMEOUT_S)


@contextmanager
def _unavailable_when_closed() -> Iterator[None]:
    """Re-raise a closed subscriber or publisher as BrokerUnavailable (the supervisor's cue)."""
    try:
        yield
    except (SubscriberClosed, PublisherClosed) as exc:
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
    ca_file: str | None = None,
    timeout_s: float = 10.0,
    queue_max: int = QUEUE_MAX,
) -> AsyncIterator[BrokerLink]:
    """Connect, subscribe and yield a BrokerLink; raises BrokerUnavailable on failure.

    Messages are stamped with `clock`'s time as they are read; at most `queue_max` wait to be
    taken (beyond it the socket is left unread, and the broker holds the rest).
    """
    address = BrokerAddress(url)
    tls = _tls(address, ca_file)
    try:
        subscriber = await LeanSubscriber.connect(
            address,
            client_id,
            persistent=persistent,
            tls=tls,
            timeout_s=timeout_s,
            now=clock.now,
            queue_max=queue_max,
        )
        try:
            publisher = await LeanPublisher.connect(
                address, f"{client_id}-pub"[:64], tls=tls, timeout_s=timeout_s
            )
            try:
                await subscriber.subscribe([(sub.topic, sub.qos) for sub in subscriptions])
                link = BrokerLink(subscriber, publisher)
            except BaseException:
                await publisher.close()
                raise
        except BaseException:
            await subscriber.close()
            raise
    except (SubscriberClosed, PublisherClosed, OSError, EOFError, ValueError) as exc:
        raise BrokerUnavailable(f"broker {address.host}:{address.port}: {exc}") from exc
    try:
        yield link
    finally:
        await publisher.close()
        await subscriber.close()
