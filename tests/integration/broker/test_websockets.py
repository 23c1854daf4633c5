"""The optional WebSockets listener (`init --websockets 9001`) serves dashboards the same
credentials and ACLs as the MQTT listeners; skipped where Mosquitto lacks libwebsockets."""

import getpass
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import pytest

from shared.contracts import topics
from tests.fixtures.mqtt import NODELAY
from tests.fixtures.secure_broker import SecureBroker, open_client, start_secure_broker
from tools.localservices.mosquitto import Mosquitto
from tools.localservices.ports import free_port
from tools.provision.brokerconf import BrokerConfig, Listener, render_config


@pytest.fixture(scope="module")
def websockets_broker(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SecureBroker, int]]:
    root = tmp_path_factory.mktemp("ws-broker")
    with start_secure_broker(root) as secured:
        secured.process.stop()
        ws_port = free_port()
        config = BrokerConfig(
            state_dir=secured.state.root,
            listeners=[
                Listener(secured.plain_port, "127.0.0.1"),
                Listener(ws_port, "127.0.0.1", websockets=True),
            ],
            run_as=getpass.getuser(),
            log_dest=f"file {secured.state.root / 'mosquitto.log'}",
        )
        broker = Mosquitto(
            Path(secured.state.root), port=secured.plain_port, config_text=render_config(config)
        )
        try:
            broker.start()
        except RuntimeError as exc:
            pytest.skip(f"this mosquitto cannot serve WebSockets: {str(exc)[-160:]}")
        try:
            yield secured, ws_port
        finally:
            broker.stop()


async def test_dashboard_reads_presence_over_websockets(
    websockets_broker: tuple[SecureBroker, int],
) -> None:
    broker, ws_port = websockets_broker
    topic = f"{topics.PREFIX}/presence/members/{uuid.uuid4()}"
    async with open_client(broker, "ingest") as ingest:
        await ingest.publish(topic, b"retained", retain=True)
    async with aiomqtt.Client(
        "127.0.0.1",
        ws_port,
        transport="websockets",
        identifier=f"ws-{uuid.uuid4().hex[:6]}",
        username="dashboard",
        password=broker.passwords["dashboard"],
        socket_options=NODELAY,
    ) as dashboard:
        await dashboard.subscribe(topic, qos=1)
        async for message in dashboard.messages:
            assert message.payload == b"retained"
            break
