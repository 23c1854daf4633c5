"""`/health`, `/ready` and `/metrics`: what a load balancer and Prometheus see.

`/ready` answers 200 only when the database answers `SELECT 1` and the broker answers an MQTT
CONNECT with a CONNACK; anything else is a 503 naming the dependency that failed.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from api.app import create_app
from shared.settings import Settings
from tests.fixtures.services import BrokerServer, PostgresServer
from tools.localservices.ports import free_port


@contextlib.asynccontextmanager
async def client_for(database_url: str, mqtt_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for an app with these dependencies (health routes need no login)."""
    settings = Settings.model_validate({"database_url": database_url, "mqtt_url": mqtt_url})
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield client


@contextlib.asynccontextmanager
async def not_a_broker() -> AsyncIterator[int]:
    """A TCP listener that answers anything with a non-MQTT reply; yields its port."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(16)
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_ready_when_database_and_broker_answer(
    postgres_server: PostgresServer, broker_server: BrokerServer
) -> None:
    async with client_for(postgres_server.admin_url, broker_server.url) as client:
        live = await client.get("/health")
        ready = await client.get("/ready")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": True, "broker": True}


async def test_not_ready_names_the_dependency_that_is_down(
    postgres_server: PostgresServer, broker_server: BrokerServer
) -> None:
    closed = free_port()
    no_database = f"postgresql+asyncpg://sentinel:sentinel@127.0.0.1:{closed}/sentinel"

    async with client_for(postgres_server.admin_url, f"mqtt://127.0.0.1:{closed}") as client:
        broker_down = await client.get("/ready")
        still_alive = await client.get("/health")
    async with client_for(no_database, broker_server.url) as client:
        database_down = await client.get("/ready")
    async with (
        not_a_broker() as port,
        client_for(postgres_server.admin_url, f"mqtt://127.0.0.1:{port}") as client,
    ):
        impostor = await client.get("/ready")

    assert broker_down.status_code == 503
    assert broker_down.json() == {"status": "unavailable", "database": True, "broker": False}
    assert still_alive.status_code == 200  # liveness does not depend on the broker
    assert database_down.status_code == 503
    assert database_down.json()["status"] == "unavailable"
    assert database_down.json()["database"] is False
    assert database_down.json()["broker"] is True
    assert impostor.status_code == 503 and impostor.json()["broker"] is False


async def test_tls_broker_counts_as_ready_when_its_listener_accepts(
    postgres_server: PostgresServer, broker_server: BrokerServer
) -> None:
    # For mqtts:// the probe stops after the TCP connect: the TLS handshake is the clients' job.
    tls_url = f"mqtts://127.0.0.1:{broker_server.port}"
    async with client_for(postgres_server.admin_url, tls_url) as client:
        up = await client.get("/ready")
    closed = f"mqtts://127.0.0.1:{free_port()}"
    async with client_for(postgres_server.admin_url, closed) as client:
        down = await client.get("/ready")

    assert up.status_code == 200 and up.json()["broker"] is True
    assert down.status_code == 503 and down.json()["broker"] is False


async def test_metrics_are_prometheus_text(postgres_server: PostgresServer) -> None:
    async with client_for(postgres_server.admin_url, "mqtt://127.0.0.1:9") as client:
        response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = [line for line in response.text.splitlines() if line and not line.startswith("#")]
    assert samples, "no samples in the exposition"
    assert any(line.startswith("python_info{") for line in samples)
