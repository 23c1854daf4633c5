"""`python -m api`: serves the app until SIGTERM, and refuses to start on a bad setup.

An operator sees the exit code and one line on stderr: 2 for invalid configuration, 1 when the
database cannot be used, 0 after a clean shutdown.
"""

import asyncio
import signal
from pathlib import Path

import httpx
import pytest

from api.__main__ import main
from tests.fixtures.processes import spawn
from tests.fixtures.services import BrokerServer, PostgresServer
from tools.localservices.ports import free_port, wait_for_port

pytestmark = pytest.mark.e2e


async def test_api_serves_until_sigterm(database_url: str, broker_server: BrokerServer) -> None:
    port = free_port()
    service = await spawn(
        "api",
        {
            "SENTINEL_DATABASE_URL": database_url,
            "SENTINEL_MQTT_URL": broker_server.url,
            "SENTINEL_API_HOST": "127.0.0.1",
            "SENTINEL_API_PORT": str(port),
        },
    )
    try:
        await asyncio.to_thread(wait_for_port, port, timeout_s=60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health = await client.get("/health")
            anonymous = await client.get("/api/members")
    finally:
        code = await service.stop()

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized"
    # Uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status names the signal.
    assert code in (0, -signal.SIGTERM), service.lines[-5:]
    assert any('"Application shutdown complete."' in line for line in service.lines)


async def test_api_refuses_an_unmigrated_database(postgres_server: PostgresServer) -> None:
    # The server's maintenance database exists but has no Sentinel schema.
    service = await spawn(
        "api",
        {"SENTINEL_DATABASE_URL": postgres_server.admin_url, "SENTINEL_API_PORT": str(free_port())},
    )
    await asyncio.wait_for(service.process.wait(), timeout=60)
    code = await service.stop()  # already exited: collects the rest of stderr

    assert code == 1
    assert any(
        "is not migrated" in line and "alembic upgrade head" in line for line in service.lines
    )


def test_invalid_configuration_exits_with_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file is read
    monkeypatch.setenv("SENTINEL_API_PORT", "70000")

    assert main() == 2
    assert capsys.readouterr().err.startswith("api: invalid configuration:")
