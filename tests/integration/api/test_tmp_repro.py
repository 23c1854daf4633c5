import asyncio
import time
import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.fixtures.auth import login_headers


async def test_repro(api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    headers, _ = await login_headers(sessionmaker, level=6)
    for method, path, body in [
        ("PUT", "/api/bmq-courses/224de87e-8e41-4c59-b63d-aeb27e3c3303", {}),
        ("PUT", "/api/bmq-courses/enrollments/e3e70682-c209-1cac-a29f-6fbed82c07cd", {}),
        ("POST", "/api/reports/bmq-attendance?format=csv", {"organization_option": "specific_division", "course_id": "224de87e-8e41-4c59-b63d-aeb27e3c3303", "division_id": "e00088fc-40ba-1fbe-8d7d-ee9ded6af2be", "member_id": "e3e70682-c209-1cac-a29f-6fbed82c07cd"}),
    ]:
        t = time.perf_counter()
        r = await asyncio.wait_for(api_client.request(method, path, json=body, headers=headers), 20)
        print(path, r.status_code, time.perf_counter() - t, r.text[:200])
