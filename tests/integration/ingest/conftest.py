"""Shared helpers for the ingest integration tests."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from tests.fixtures.mqtt import MqttProbe, unique_name
from tests.fixtures.scans import scan_payload, scan_topic


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


async def tap(probe: MqttProbe, device: str, uid: str, seq: int, **kw: object) -> dict[str, object]:
    """Publish a scan and return the reader's feedback for it."""
    await probe.publish(scan_topic(device), scan_payload(device, uid, seq=seq, **kw))  # type: ignore[arg-type]
    event_id = f"{device}:0badc0de:{seq}"
    message = await probe.until(topics.feedback(device), lambda m: m.json()["event_id"] == event_id)
    answer: dict[str, object] = message.json()
    return answer
