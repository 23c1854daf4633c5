"""`/api/alerts`: listing, acknowledging and dismissing with the actor from the session (§4.4)."""

import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import FrozenClock
from shared.contracts import topics
from shared.domain.alerts import AlertRequest, AlertType, RateLimit, Severity
from shared.store.alerts import raise_alert
from tests.fixtures.auth import login_headers
from tests.fixtures.operations import outbox_topics


async def an_alert(sm: async_sessionmaker[AsyncSession], clock: FrozenClock) -> uuid.UUID:
    async with sm.begin() as s:
        raised = await raise_alert(
            s,
            AlertRequest(AlertType.LOCKUP_REMINDER, Severity.WARNING, "2026-11-24:warning", "Open"),
            now=clock.now(),
            limit=RateLimit(),
        )
    assert raised.id is not None
    return raised.id


async def test_level_four_may_read_and_acknowledge_lower_levels_may_not(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    alert_id = await an_alert(sessionmaker, api_clock)
    basic, _ = await login_headers(sessionmaker, level=3, now=api_clock.now())
    command, officer = await login_headers(sessionmaker, level=4, now=api_clock.now())

    assert (await api_client.get("/api/alerts", headers=basic)).status_code == 403
    page = (await api_client.get("/api/alerts", headers=command)).json()
    assert [a["id"] for a in page["items"]] == [str(alert_id)] and page["total"] == 1
    denied = await api_client.post(f"/api/alerts/{alert_id}/acknowledge", json={}, headers=basic)
    assert denied.status_code == 403
    spoof = await api_client.post(
        f"/api/alerts/{alert_id}/acknowledge",
        json={"admin_id": str(uuid.uuid4())},
        headers=command,
    )
    assert spoof.status_code == 422  # the actor never comes from the body (Appendix B.3)

    done = await api_client.post(
        f"/api/alerts/{alert_id}/acknowledge", json={"note": "on it"}, headers=command
    )

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "acknowledged"
    assert done.json()["acknowledged_by"] == str(officer.id)
    again = await api_client.post(f"/api/alerts/{alert_id}/acknowledge", json={}, headers=command)
    assert (again.status_code, again.json()["code"]) == (409, "alert_not_active")
    assert topics.ALERTS_ACKNOWLEDGED in await outbox_topics(sessionmaker)
    active = (await api_client.get("/api/alerts", headers=command)).json()
    assert active["total"] == 0


async def test_dismiss_closes_without_an_acknowledgement_message(
    api_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    api_clock: FrozenClock,
) -> None:
    alert_id = await an_alert(sessionmaker, api_clock)
    command, _ = await login_headers(sessionmaker, level=4, now=api_clock.now())

    reply = await api_client.post(f"/api/alerts/{alert_id}/dismiss", json={}, headers=command)

    assert reply.status_code == 200 and reply.json()["status"] == "dismissed"
    assert topics.ALERTS_ACKNOWLEDGED not in await outbox_topics(sessionmaker)
    one = await api_client.get(f"/api/alerts/{alert_id}", headers=command)
    assert one.json()["status"] == "dismissed"
    async with sessionmaker() as s:
        assert await s.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'alert_dismiss'"))
    missing = await api_client.get(f"/api/alerts/{uuid.uuid4()}", headers=command)
    assert missing.status_code == 404
