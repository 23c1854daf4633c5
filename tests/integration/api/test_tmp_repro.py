import time
import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.fixtures.auth import login_headers


async def test_repro(api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    headers, _ = await login_headers(sessionmaker, level=6)
    t = time.perf_counter()
    r = await api_client.get("/api/divisions", headers=headers)
    print("divisions", r.status_code, time.perf_counter() - t)
    t = time.perf_counter()
    r = await api_client.get("/api/report-settings", headers=headers)
    print("settings", r.status_code, time.perf_counter() - t)
    for path, body in [
        ("/api/reports/daily-checkin", {"division_id": "81204649-72a9-4bfe-9aef-0e095368da15"}),
        ("/api/reports/personnel-roster", {"division_id": "81204649-72a9-4bfe-9aef-0e095368da15", "sort_order": "alphabetical"}),
        ("/api/reports/bmq-attendance?format=pdf", {"course_id": "1969c90d-a623-4f12-974d-a321299c48bd", "division_id": "81204649-72a9-4bfe-9aef-0e095368da15", "member_id": "940eadc1-8ea2-4a4d-8eb4-79afbd340e27"}),
        ("/api/reports/personnel-roster?format=pdf", {}),
    ]:
        t = time.perf_counter()
        r = await api_client.post(path, json=body, headers=headers)
        print(path, r.status_code, time.perf_counter() - t, r.text[:200])
