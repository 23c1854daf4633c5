"""Shared helpers for the ingest integration tests."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.mqtt import unique_name


@pytest.fixture
def device(request: pytest.FixtureRequest) -> str:
    """A reader id unique to the test."""
    return unique_name(request, "rdr")


async def count_rows(sm: async_sessionmaker[AsyncSession], model: type, **where: object) -> int:
    """Count rows of `model` matching the equality filters."""
    async with sm() as s:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return int(await s.scalar(stmt) or 0)
