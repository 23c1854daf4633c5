"""Bring up the whole stack locally: services, migrations, and the ingest/API processes.

Used by the demo and the benchmarks. Services named by `SENTINEL_DATABASE_URL` /
`SENTINEL_MQTT_URL` are used as they are; otherwise local PostgreSQL and Mosquitto are started
with their data under the state directory.
"""

import asyncio
import os
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

from shared.db.engine import driver_dsn
from tools.localservices.mosquitto import Mosquitto
from tools.localservices.ports import free_port, wait_for_port
from tools.localservices.postgres import Postgres

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Endpoints:
    """Where the services are."""

    database_url: str
    mqtt_url: str


@dataclass
class Processes:
    """Service processes started by the stack, stopped with SIGTERM in reverse order."""

    running: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def spawn(self, module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        """Start `python -m module` with `env`, its output appended to `log`."""
        handle = log.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", module], cwd=ROOT, env=env, stdout=handle, stderr=handle
        )
        self.running.append(process)
        return process

    def stop(self) -> None:
        """SIGTERM every process, newest first, and wait for it."""
        for process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.running.clear()


async def ensure_database(url: str) -> None:
    """Create the database named in `url` if it does not exist."""
    base, _, name = url.rpartition("/")
    admin = driver_dsn(base) + "/postgres"
    conn = await asyncpg.connect(admin)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def migrate(url: str, revision: str = "head") -> None:
    """Run `alembic upgrade` against `url` (from a thread without a running event loop)."""
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    command.upgrade(config, revision)


def start_database(state_dir: Path, stack: ExitStack, *, durable: bool = True) -> str:
    """Use the configured database or start a local server; create and migrate it.

    A local server is stopped when `stack` closes; return the database's URL.
    """
    database_url = os.environ.get("SENTINEL_DATABASE_URL")
    if not database_url:
        postgres = Postgres(state_dir / "postgres", durable=durable)
        stack.callback(postgres.stop)  # also when it started but never answered
        postgres.start()
        database_url = postgres.url("sentinel")
    asyncio.run(ensure_database(database_url))
    migrate(database_url)
    return database_url


def start_services(state_dir: Path, stack: ExitStack, *, durable: bool = True) -> Endpoints:
    """Use configured services or start local ones (stopped when `stack` closes)."""
    mqtt_url = os.environ.get("SENTINEL_MQTT_URL")
    if not mqtt_url:
        broker = Mosquitto(state_dir / "mosquitto")
        broker.start()
        stack.callback(broker.stop)
        mqtt_url = broker.url
    return Endpoints(start_database(state_dir, stack, durable=durable), mqtt_url)


def service_env(endpoints: Endpoints, **extra: str) -> dict[str, str]:
    """The environment for the service processes."""
    env = dict(os.environ)
    env.update(
        SENTINEL_DATABASE_URL=endpoints.database_url,
        SENTINEL_MQTT_URL=endpoints.mqtt_url,
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def start_api(processes: Processes, env: dict[str, str], log: Path, port: int = 0) -> int:
    """Start the API on `port` (a free one when 0); return the port once it listens."""
    port = port or free_port()
    processes.spawn("api", {**env, "SENTINEL_API_PORT": str(port)}, log)
    wait_for_port(port, timeout_s=30)
    return port
