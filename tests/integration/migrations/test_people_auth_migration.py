"""Revision 0003 (people, auth): seeds, models match the migration, and it downgrades cleanly."""

import asyncio
import uuid

import asyncpg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import shared.db.models  # noqa: F401  (registers every table)
from shared.db.base import Base
from tests.fixtures.database import plain_dsn
from tests.fixtures.services import PostgresServer
from tests.integration.migrations.conftest import alembic_config

MINE = {
    "member_types",
    "member_statuses",
    "visit_types",
    "badge_statuses",
    "tags",
    "member_tags",
    "qualification_types",
    "member_qualifications",
    "member_sessions",
    "api_keys",
    "auth_throttles",
    "settings",
    "missed_checkouts",
    "members",
    "visitors",
    "badges",
}


def _diff_tables(connection: Connection) -> set[str]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    tables = set()
    for diff in compare_metadata(context, Base.metadata):
        for item in diff if isinstance(diff, list) else [diff]:
            for part in item[1:]:
                name = getattr(part, "name", None) if not isinstance(part, str) else part
                table = getattr(part, "table", None)
                tables.add(str(getattr(table, "name", None) or name))
    return tables & MINE


async def _scalar(url: str, sql: str) -> object:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def test_upgrade_seeds_matches_models_and_downgrades(postgres_server: PostgresServer) -> None:
    name = f"mig_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(plain_dsn(postgres_server.admin_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.url(name)
    try:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        assert await _scalar(url, "SELECT count(*) FROM member_statuses") == 6
        assert (
            await _scalar(url, "SELECT count(*) FROM qualification_types WHERE tag_id IS NOT NULL")
            == 6
        )
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff_tables) == set()
        await engine.dispose()
        await asyncio.to_thread(command.downgrade, alembic_config(url), "0002")
        assert await _scalar(url, "SELECT to_regclass('public.member_sessions')") is None
        assert (
            await _scalar(
                url,
                "SELECT count(*) FROM information_schema.columns"
                " WHERE table_name = 'members' AND column_name = 'mobile_phone'",
            )
            == 0
        )
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        assert await _scalar(url, "SELECT count(*) FROM tags WHERE is_positional") == 7
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
