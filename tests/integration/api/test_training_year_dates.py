"""A training year's dates stay ordered and within two years when only one end is changed."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.auth import login_headers


async def test_partial_date_changes_are_checked_against_the_stored_dates(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    year = (
        await api_client.post(
            "/api/training-years",
            json={"name": "2026-2027", "start_on": "2026-09-01", "end_on": "2027-06-30"},
            headers=admin,
        )
    ).json()
    url = f"/api/training-years/{year['id']}"

    for change in (
        {"end_on": "2026-08-31"},  # before the stored start
        {"start_on": "2027-07-01"},  # after the stored end
        {"end_on": "2028-12-31"},  # more than two years after the stored start
    ):
        refused = await api_client.put(url, json=change, headers=admin)
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_dates"), change
    stored = (await api_client.get(url, headers=admin)).json()
    assert (stored["start_on"], stored["end_on"]) == ("2026-09-01", "2027-06-30")

    one_day = await api_client.put(url, json={"end_on": "2026-09-01", "name": None}, headers=admin)
    assert one_day.status_code == 200, one_day.text
    assert (one_day.json()["end_on"], one_day.json()["name"]) == ("2026-09-01", "2026-2027")
    missing = await api_client.put(
        f"/api/training-years/{uuid.uuid4()}", json={"name": "x"}, headers=admin
    )
    assert missing.status_code == 404
