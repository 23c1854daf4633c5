"""Events decided out of event-time order (issue 8 finding, reported to the ingest owner).

Workers of a shared subscription, or readers replaying outboxes into different batches, can
have a member's later tap decided before an earlier one. These tests pin that down with one
in-process ingest and sequential publishing, so they are deterministic.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import topics
from tests.fixtures.factories import make_member
from tests.fixtures.ingest import RunningIngest
from tests.fixtures.mqtt import MqttProbe, unique_name
from tests.integration.ingest.conftest import tap


async def test_tap_within_the_window_of_a_later_decided_tap_is_a_duplicate(
    ingest: RunningIngest,
    probe: MqttProbe,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> None:
    door_a, door_b = unique_name(request, "ra"), unique_name(request, "rb")
    async with sessionmaker.begin() as session:
        member = await make_member(session)
    await probe.subscribe(topics.feedback(door_a), topics.feedback(door_b))
    at = datetime.now(UTC) - timedelta(minutes=10)
    # The member taps door A, then door B 2 s later; door B's tap is decided first.
    assert (await tap(probe, door_b, member.uid, 1, at=at + timedelta(seconds=2)))[
        "result"
    ] == "checked_in"
    await tap(probe, door_a, member.uid, 1, at=at)
    async with sessionmaker() as session:
        rows = (await session.execute(text("SELECT direction FROM checkins ORDER BY at"))).all()
    assert len(rows) == 1
