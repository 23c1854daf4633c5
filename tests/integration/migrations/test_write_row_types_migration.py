"""Revision 0012: the batch write's row types match the tables they feed; reversible; the
services refuse a database behind the revision they need."""

import asyncio

import asyncpg
from alembic import command
from alembic.script import ScriptDirectory

from shared.db.engine import make_engine
from shared.db.health import SCHEMA_REVISION, database_problem
from tests.fixtures.database import plain_dsn, run_migrations
from tests.integration.migrations.conftest import alembic_config

# Each type, the table its rows go to (the write's INSERT lists them in the type's order).
FED = {
    "sentinel_checkin_row": "checkins",
    "sentinel_state_row": "member_states",
    "sentinel_decision_row": "processed_events",
    "sentinel_outbox_row": "outbox",
}
SAME_TYPE = {"character varying": "text"}  # text fields feed varchar(n) columns (length-checked)


def test_the_services_need_the_newest_revision() -> None:
    head = ScriptDirectory.from_config(alembic_config("postgresql://unused/x")).get_current_head()
    assert head == SCHEMA_REVISION


async def test_each_row_type_has_its_tables_columns_and_types(database_url: str) -> None:
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        for type_name, table in FED.items():
            fields = await conn.fetch(
                "SELECT attribute_name AS name, data_type FROM information_schema.attributes"
                " WHERE udt_name = $1 ORDER BY ordinal_position",
                type_name,
            )
            columns = {
                r["column_name"]: r["data_type"]
                for r in await conn.fetch(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND table_name = $1",
                    table,
                )
            }
            assert fields, type_name
            for field in fields:
                column = columns.get(field["name"])
                assert column is not None, (type_name, field["name"])
                assert SAME_TYPE.get(column, column) == field["data_type"], (type_name, field)
    finally:
        await conn.close()


async def test_revision_0012_downgrades_and_upgrades_again_and_is_required(
    empty_database: str,
) -> None:
    engine = make_engine(empty_database, application_name="sentinel-tests")
    try:
        await asyncio.to_thread(run_migrations, empty_database, "head")
        assert await database_problem(engine) is None
        await asyncio.to_thread(command.downgrade, alembic_config(empty_database), "0011")
        conn = await asyncpg.connect(plain_dsn(empty_database))
        try:
            left = await conn.fetchval(
                "SELECT count(*) FROM pg_type WHERE typname = ANY($1::text[])", list(FED)
            )
        finally:
            await conn.close()
        assert left == 0
        problem = await database_problem(engine)
        assert problem is not None
        assert f"is at schema revision 0011, this version needs {SCHEMA_REVISION}" in problem
        assert "alembic upgrade head" in problem
        await asyncio.to_thread(run_migrations, empty_database, "head")
        assert await database_problem(engine) is None
    finally:
        await engine.dispose()
