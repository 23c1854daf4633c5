"""Shared helpers for the ingest integration tests."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest.inbound import Inbound
from ingest.outcome import BatchOutcome
from ingest.policy import IngestPolicy, policy_from
from ingest.stages.apply import apply_batch
from ingest.stages.batch_tx import DriverLink
from ingest.stages.mirror import ScanMirror
from ingest.stages.turns import Turn
from shared.contracts import topics
from shared.db.engine import make_engine
from shared.settings import Settings
from tests.fixtures.database import plain_dsn
from tests.fixtures.factories import MadeMember, make_member
from tests.fixtures.mqtt import MqttProbe, unique_name
from tests.fixtures.scans import scan_payload, scan_topic
from tools.seed import open_building

# The reader of the apply-stage tests (`apply`), and their optimistic connection's name.
READER = "rdr-opt"
OPTIMISTIC_APP = "sentinel-tests-optimistic"


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


async def select_rows(sm: async_sessionmaker[AsyncSession], sql: str) -> list[Any]:
    """The rows of a literal SQL query."""
    async with sm() as session:
        return list((await session.execute(text(sql))).all())


async def tap(probe: MqttProbe, device: str, uid: str, seq: int, **kw: object) -> dict[str, object]:
    """Publish a scan and return the reader's feedback for it."""
    await probe.publish(scan_topic(device), scan_payload(device, uid, seq=seq, **kw))  # type: ignore[arg-type]
    event_id = f"{device}:0badc0de:{seq}"
    message = await probe.until(topics.feedback(device), lambda m: m.json()["event_id"] == event_id)
    answer: dict[str, object] = message.json()
    return answer


@pytest.fixture
async def locker(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of its own, to hold a row under a write of the code under test."""
    connection = await asyncpg.connect(plain_dsn(database_url))
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def driver(database_url: str) -> AsyncIterator[DriverLink]:
    link = DriverLink(database_url, application_name=OPTIMISTIC_APP)
    try:
        yield link
    finally:
        await link.close()


@pytest.fixture
def policy(database_url: str) -> IngestPolicy:
    return policy_from(Settings(database_url=database_url))


@pytest.fixture
async def apply(
    database_url: str, driver: DriverLink, policy: IngestPolicy
) -> AsyncIterator[Callable[..., Awaitable[BatchOutcome]]]:
    """Apply scans (uid, seq, minutes ago[, replayed]) from READER as one batch, the way the
    ingest does."""
    engine = make_engine(
        database_url, application_name="sentinel-tests", pre_ping=False, probes_only=True
    )

    async def run(
        *taps: tuple[str, int, float] | tuple[str, int, float, bool],
        now: datetime | None = None,
        mirror: ScanMirror | None = None,
        turn: Turn | None = None,
    ) -> BatchOutcome:
        now = now or datetime.now(UTC)
        batch = [
            Inbound(
                topic=scan_topic(READER),
                payload=scan_payload(
                    READER, uid, seq=seq, at=now - timedelta(minutes=ago), replayed=bool(more)
                ),
                mid=seq,
                qos=1,
                received_at=now,
            )
            for uid, seq, ago, *more in taps
        ]
        return await apply_batch(
            engine, batch, now=now, policy=policy, driver=driver, mirror=mirror, turn=turn
        )

    try:
        yield run
    finally:
        await engine.dispose()


@pytest.fixture
async def member(sessionmaker: async_sessionmaker[AsyncSession]) -> MadeMember:
    """A member, in a building that is open with today's DDS accepted (no prompts due)."""
    async with sessionmaker.begin() as session:
        made = await make_member(session)
        await open_building(session, made.id)
    return made
