"""End to end: a manual check-in through the API reaches MQTT via the ingest's outbox relay."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from shared.contracts import topics
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_member
from tests.fixtures.ingest import RunningIngest
from tests.fixtures.mqtt import MqttProbe


async def test_manual_checkin_is_published_like_a_scan(
    ingest: RunningIngest, probe: MqttProbe, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    async with sessionmaker.begin() as s:
        member = await make_member(s, last_name="Relayed")
    await probe.subscribe(
        topics.CHECKIN_EVENTS, topics.presence_member(member.id), topics.PRESENCE_SUMMARY
    )
    app = create_app(ingest.settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        made = await client.post("/api/checkins", json={"member_id": str(member.id)}, headers=admin)
    assert made.status_code == 201, made.text
    event = (await probe.next(topics.CHECKIN_EVENTS, timeout=10)).json()
    assert event["id"] == made.json()["id"] and event["method"] == "manual"
    state = await probe.until(
        topics.presence_member(member.id), lambda m: m.json()["state"] == "in", timeout=10
    )
    assert state.json()["display_name"] == member.display_name
    summary = await probe.until(
        topics.PRESENCE_SUMMARY, lambda m: m.json()["total_present"] == 1, timeout=10
    )
    assert summary.json()["total_members"] == 2
