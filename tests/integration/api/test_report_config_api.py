"""Training years, stat holidays and report settings over HTTP (domain.md §9)."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.auth import login_headers


async def test_training_years_have_one_current(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    reader, _ = await login_headers(sessionmaker, level=1)
    first = {
        "name": "2025-2026",
        "start_on": "2025-09-01",
        "end_on": "2026-06-30",
        "is_current": True,
        "holiday_exclusions": [{"start": "2025-12-20", "end": "2026-01-04", "name": "Christmas"}],
        "day_exceptions": [{"date": "2026-03-17", "type": "cancelled_training"}],
    }
    created = await api_client.post("/api/training-years", json=first, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["holiday_exclusions"][0]["name"] == "Christmas"
    second = await api_client.post(
        "/api/training-years",
        json={"name": "2026-2027", "start_on": "2026-09-01", "end_on": "2027-06-30"},
        headers=admin,
    )
    duplicate = await api_client.post("/api/training-years", json=first, headers=admin)
    assert duplicate.status_code == 409
    backwards = {**first, "name": "x", "start_on": "2027-01-01"}
    assert (
        await api_client.post("/api/training-years", json=backwards, headers=admin)
    ).status_code == 422
    assert (
        await api_client.post("/api/training-years", json=first, headers=reader)
    ).status_code == 403

    second_id = second.json()["id"]
    moved = await api_client.put(f"/api/training-years/{second_id}/set-current", headers=admin)
    assert moved.json()["is_current"] is True
    current = await api_client.get("/api/training-years/current", headers=reader)
    assert current.json()["name"] == "2026-2027"
    years = (await api_client.get("/api/training-years", headers=reader)).json()
    assert [y["is_current"] for y in years] == [True, False]

    bad_exception = {"day_exceptions": [{"date": "2026-10-10", "type": "holiday"}]}
    response = await api_client.put(
        f"/api/training-years/{second_id}", json=bad_exception, headers=admin
    )
    assert response.status_code == 422
    renamed = await api_client.put(
        f"/api/training-years/{second_id}", json={"name": "TY 26/27"}, headers=admin
    )
    assert renamed.json()["name"] == "TY 26/27"
    assert (
        await api_client.delete(f"/api/training-years/{second_id}", headers=admin)
    ).status_code == 204
    assert (await api_client.get("/api/training-years/current", headers=reader)).status_code == 404


async def test_stat_holidays_one_per_date(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    body = {"holiday_on": "2025-11-11", "name": "Remembrance Day"}
    created = await api_client.post("/api/stat-holidays", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert (
        await api_client.post("/api/stat-holidays", json=body, headers=admin)
    ).status_code == 409
    check = (await api_client.get("/api/stat-holidays/check/2025-11-11", headers=admin)).json()
    assert check["is_holiday"] is True
    holiday_id = created.json()["id"]
    await api_client.patch(
        f"/api/stat-holidays/{holiday_id}", json={"is_active": False}, headers=admin
    )
    check = (await api_client.get("/api/stat-holidays/check/2025-11-11", headers=admin)).json()
    assert check["is_holiday"] is False
    listed = await api_client.get(
        "/api/stat-holidays?start=2025-01-01&end=2025-12-31", headers=admin
    )
    assert [h["name"] for h in listed.json()] == ["Remembrance Day"]
    assert (
        await api_client.delete(f"/api/stat-holidays/{holiday_id}", headers=admin)
    ).status_code == 204


async def test_report_settings_merge_and_validate(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    defaults = (await api_client.get("/api/report-settings/thresholds", headers=admin)).json()
    assert defaults["value"]["warningThreshold"] == 75.0
    changed = await api_client.put(
        "/api/report-settings/thresholds",
        json={"warningThreshold": 80, "criticalThreshold": 60},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["value"]["trendStableBand"] == 5.0  # untouched fields stay
    inverted = await api_client.put(
        "/api/report-settings/thresholds", json={"criticalThreshold": 90}, headers=admin
    )
    assert inverted.status_code == 422
    assert inverted.json()["code"] == "invalid_setting"
    schedule = await api_client.put(
        "/api/report-settings/schedule",
        json={"trainingNightDay": "wednesday", "trainingNightEnd": "23:30"},
        headers=admin,
    )
    assert schedule.json()["value"]["trainingNightDay"] == "wednesday"
    everything = (await api_client.get("/api/report-settings", headers=admin)).json()
    assert {s["key"] for s in everything} == {
        "schedule",
        "working_hours",
        "thresholds",
        "member_handling",
        "formatting",
        "timeseries",
    }
    timeseries = await api_client.put(
        "/api/report-settings/timeseries", json={"retentionDays": 3650}, headers=admin
    )
    assert timeseries.status_code == 200, timeseries.text
    assert (await api_client.get("/api/report-settings/nope", headers=admin)).status_code == 422
