"""TLS on 8883: verified connections work, a wrong name or an unknown CA is refused, and the
listener pins a reader's client id to its username."""

from pathlib import Path

import aiomqtt
import pytest

from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from tests.fixtures.mqtt import unique_name
from tests.fixtures.secure_broker import SecureBroker, open_client, tls_context
from tools.provision import pki
from tools.provision.acl import Role


@pytest.fixture
async def reader(secure_broker: SecureBroker, request: pytest.FixtureRequest) -> str:
    name = unique_name(request, "rdr")
    secure_broker.add(name, Role.READER)
    await secure_broker.reload()
    return name


async def test_reader_connects_over_tls_with_certificate_verification(
    secure_broker: SecureBroker, reader: str
) -> None:
    context = tls_context(secure_broker.state.tls.ca_cert)
    async with (
        open_client(secure_broker, "ingest") as ingest,
        open_client(secure_broker, reader, tls=context, host="localhost") as device,
    ):
        await ingest.subscribe(topics.reader(reader, ReaderTopic.SCAN))
        await device.publish(topics.reader(reader, ReaderTopic.SCAN), b"over tls")
        assert (await ingest.next(topics.reader(reader, ReaderTopic.SCAN))).payload == b"over tls"


async def test_tls_refuses_a_host_name_the_certificate_does_not_name(
    secure_broker: SecureBroker, reader: str
) -> None:
    context = tls_context(secure_broker.state.tls.ca_cert)
    # The certificate names `localhost` only; 127.0.0.1 is the same socket, another name.
    with pytest.raises(aiomqtt.MqttError, match=r"(?i)mismatch|doesn't match|not valid for"):
        async with open_client(secure_broker, reader, tls=context, host="127.0.0.1"):
            pass


async def test_tls_refuses_a_broker_signed_by_another_ca(
    secure_broker: SecureBroker, reader: str, tmp_path: Path
) -> None:
    other = pki.TlsPaths(tmp_path)
    pki.create_ca(other, common_name="Somebody else's CA")
    with pytest.raises(aiomqtt.MqttError, match=r"(?i)certificate verify failed"):
        async with open_client(
            secure_broker, reader, tls=tls_context(other.ca_cert), host="localhost"
        ):
            pass


async def test_pinned_listener_stops_a_reader_taking_over_another_readers_session(
    secure_broker: SecureBroker, request: pytest.FixtureRequest
) -> None:
    a, b = unique_name(request, "ra"), unique_name(request, "rb")
    for name in (a, b):
        secure_broker.add(name, Role.READER)
    await secure_broker.reload()
    context = tls_context(secure_broker.state.tls.ca_cert)
    async with (
        open_client(secure_broker, "ingest") as ingest,
        open_client(secure_broker, b, client_id=b, tls=context, host="localhost") as victim,
    ):
        await ingest.subscribe(topics.reader(b, ReaderTopic.HEARTBEAT))
        async with open_client(secure_broker, a, client_id=b, tls=context, host="localhost"):
            await victim.publish(topics.reader(b, ReaderTopic.HEARTBEAT), b"still here")
            heard = await ingest.next(topics.reader(b, ReaderTopic.HEARTBEAT))
            assert heard.payload == b"still here"
            assert not victim.pump.done()
