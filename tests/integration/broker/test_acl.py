"""Who may connect and which topics each role may touch, on the production configuration.

Mosquitto drops an unauthorised publish silently (a QoS1 publish is still PUBACKed), so every
"cannot" test publishes the forbidden message, then an allowed sentinel message on the same
connection, waits for the sentinel at an observer subscribed to both, and only then asserts
that the forbidden message did not arrive: the broker handles one connection's packets in
order, so a forwarded forbidden message would have been delivered first.
"""

import uuid

import aiomqtt
import pytest
from paho.mqtt.reasoncodes import ReasonCode

from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from tests.fixtures.mqtt import MqttProbe, _matches, unique_name
from tests.fixtures.secure_broker import SecureBroker, open_client
from tools.provision.acl import Role

P = topics.PREFIX


def unseen(probe: MqttProbe, topic_filter: str) -> list[str]:
    """Topics matching `topic_filter` that the probe received but no test consumed."""
    pending = list(probe._seen) + list(probe._inbox._queue)  # type: ignore[attr-defined]
    return [m.topic for m in pending if _matches(topic_filter, m.topic)]


@pytest.fixture
async def readers(secure_broker: SecureBroker, request: pytest.FixtureRequest) -> list[str]:
    """Two readers provisioned for this test."""
    names = [unique_name(request, "ra"), unique_name(request, "rb")]
    for name in names:
        secure_broker.add(name, Role.READER)
    await secure_broker.reload()
    return names


async def test_anonymous_client_is_refused(secure_broker: SecureBroker) -> None:
    with pytest.raises(aiomqtt.MqttCodeError, match=r"(?i)not authori"):
        async with open_client(secure_broker, None):
            pass


async def test_wrong_password_is_refused(secure_broker: SecureBroker) -> None:
    with pytest.raises(aiomqtt.MqttCodeError, match=r"(?i)not authori"):
        async with open_client(secure_broker, "ingest", "not-the-password"):
            pass


async def test_reader_reaches_the_shared_ingest_and_hears_back(
    secure_broker: SecureBroker, readers: list[str]
) -> None:
    reader = readers[0]
    async with (
        open_client(secure_broker, "ingest") as ingest,
        open_client(secure_broker, reader, client_id=reader) as device,
    ):
        for kind in ReaderTopic:
            granted = await ingest.client.subscribe(
                topics.reader_subscription(kind, share_group="ingest"), qos=1
            )
            codes = [c.value if isinstance(c, ReasonCode) else c for c in granted]
            assert codes == [1]  # not 0x80: the ACL allows the shared subscription
        await device.subscribe(topics.feedback(reader), topics.command(reader))
        for kind in ReaderTopic:
            await device.publish(topics.reader(reader, kind), kind.value.encode())
            assert (await ingest.next(topics.reader(reader, kind))).payload == kind.value.encode()
        await ingest.publish(topics.feedback(reader), b"feedback")
        await ingest.publish(topics.command(reader), b"command")
        assert (await device.next(topics.feedback(reader))).payload == b"feedback"
        assert (await device.next(topics.command(reader))).payload == b"command"


async def test_reader_cannot_publish_on_another_readers_topics(
    secure_broker: SecureBroker, readers: list[str]
) -> None:
    a, b = readers
    async with (
        open_client(secure_broker, "monitor") as observer,
        open_client(secure_broker, a, client_id=a) as device,
    ):
        await observer.subscribe(f"{P}/readers/{a}/#", f"{P}/readers/{b}/#")
        for kind in ReaderTopic:
            await device.publish(topics.reader(b, kind), b"forged")
        await device.publish(topics.feedback(b), b"forged")
        await device.publish(topics.reader(a, ReaderTopic.SCAN), b"sentinel")
        assert (await observer.next(topics.reader(a, ReaderTopic.SCAN))).payload == b"sentinel"
        assert unseen(observer, f"{P}/readers/{b}/#") == []


async def test_reader_cannot_publish_backend_topics_or_its_own_feedback(
    secure_broker: SecureBroker, readers: list[str]
) -> None:
    a = readers[0]
    marker = uuid.uuid4().hex
    forged = [
        topics.feedback(a),
        topics.command(a),
        f"{P}/presence/members/{marker}",
        f"{P}/events/checkins",
        f"{P}/alerts/critical/{marker}",
        f"{P}/building/lockup",
        f"{P}/fleet/readers/{a}",
    ]
    async with (
        open_client(secure_broker, "monitor") as observer,
        open_client(secure_broker, a, client_id=a) as device,
    ):
        await observer.subscribe(f"{P}/#")
        for topic in forged:
            await device.publish(topic, marker.encode())
        await device.publish(topics.reader(a, ReaderTopic.HEARTBEAT), b"sentinel")
        assert (await observer.next(topics.reader(a, ReaderTopic.HEARTBEAT))).payload == b"sentinel"
        leaked = [t for t in forged if unseen(observer, t)]
        assert leaked == []


async def test_reader_cannot_read_other_readers_feedback_commands_or_backend_topics(
    secure_broker: SecureBroker, readers: list[str]
) -> None:
    a, b = readers
    async with (
        open_client(secure_broker, "ingest") as ingest,
        open_client(secure_broker, a, client_id=a) as device,
    ):
        await device.subscribe(f"{P}/readers/+/feedback", f"{P}/readers/+/cmd", "#")
        await ingest.publish(topics.feedback(b), b"for b")
        await ingest.publish(topics.command(b), b"for b")
        await ingest.publish(f"{P}/presence/members/{uuid.uuid4()}", b"presence")
        await ingest.publish(topics.feedback(a), b"sentinel")
        assert (await device.next(topics.feedback(a))).payload == b"sentinel"
        assert unseen(device, "#") == []


async def test_dashboard_reads_backend_topics_but_cannot_publish(
    secure_broker: SecureBroker, readers: list[str]
) -> None:
    a = readers[0]
    member_topic = f"{P}/presence/members/{uuid.uuid4()}"
    async with (
        open_client(secure_broker, "monitor") as observer,
        open_client(secure_broker, "dashboard") as dashboard,
        open_client(secure_broker, "ingest") as ingest,
    ):
        await observer.subscribe(member_topic, f"{P}/readers/{a}/#", f"{P}/alerts/#")
        await dashboard.subscribe(f"{P}/#")
        await dashboard.publish(member_topic, b"forged")
        await dashboard.publish(topics.reader(a, ReaderTopic.SCAN), b"forged")
        await dashboard.publish(topics.feedback(a), b"forged")
        await dashboard.publish(f"{P}/alerts/critical/forged", b"forged")
        await ingest.publish(member_topic, b"sentinel")
        assert (await observer.next(member_topic)).payload == b"sentinel"
        assert (await dashboard.next(member_topic)).payload == b"sentinel"
        assert unseen(observer, "#") == []
        await ingest.publish(topics.feedback(a), b"not for dashboards")
        await ingest.publish(f"{P}/alerts/warning/sentinel", b"sentinel")
        assert (await dashboard.next(f"{P}/alerts/#")).payload == b"sentinel"
        assert unseen(dashboard, f"{P}/readers/#") == []
