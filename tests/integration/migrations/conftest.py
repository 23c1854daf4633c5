"""What the migration tests share: an Alembic config for a URL, and an empty database."""

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from alembic.config import Config

from tests.fixtures.database import ROOT, plain_dsn
from tests.fixtures.services import PostgresServer


def alembic_config(url: str) -> Config:
    """The project's Alembic config, pointed at `url`, leaving the test's logging alone."""
    config = Config(f"{ROOT}/alembic.ini")
    config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    return config


@pytest.fixture
async def empty_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """URL of a new, empty database, dropped afterwards."""
    name = f"m_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(plain_dsn(postgres_server.admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield postgres_server.url(name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
