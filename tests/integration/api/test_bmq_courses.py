"""BMQ courses and enrolments over HTTP: CRUD, the ordering rules on update, 404s and cascade."""

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.auth import login_headers

COURSE = {
    "name": "BMQ 26-02",
    "start_on": "2026-09-07",
    "end_on": "2026-12-14",
    "training_start": "18:30:00",
    "training_end": "21:30:00",
    "training_days": ["tuesday", "thursday"],
}


async def test_course_crud_and_ordering_rules(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    basic, _ = await login_headers(sessionmaker, level=1)
    assert (
        await api_client.post("/api/bmq-courses", json=COURSE, headers=basic)
    ).status_code == 403
    backwards = {**COURSE, "start_on": "2026-12-20"}
    assert (
        await api_client.post("/api/bmq-courses", json=backwards, headers=admin)
    ).status_code == 422
    created = await api_client.post("/api/bmq-courses", json=COURSE, headers=admin)
    assert created.status_code == 201, created.text
    older = await api_client.post(
        "/api/bmq-courses",
        json={**COURSE, "name": "BMQ 25-01", "start_on": "2025-09-08", "end_on": "2025-12-15"},
        headers=admin,
    )
    url = f"/api/bmq-courses/{created.json()['id']}"

    listed = (await api_client.get("/api/bmq-courses", headers=basic)).json()
    assert [c["name"] for c in listed] == ["BMQ 26-02", "BMQ 25-01"]  # newest first
    changed = await api_client.put(
        url,
        json={"name": "BMQ 26-02 (eve)", "training_days": ["monday"], "is_active": False},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["training_days"] == ["monday"]
    assert changed.json()["start_on"] == COURSE["start_on"]  # fields not sent are kept
    assert changed.json()["updated_at"] >= created.json()["updated_at"]
    active = (
        await api_client.get("/api/bmq-courses", params={"active_only": True}, headers=basic)
    ).json()
    assert [c["id"] for c in active] == [older.json()["id"]]
    assert (await api_client.get(url, headers=basic)).json()["name"] == "BMQ 26-02 (eve)"

    # The ordering rules hold for the merged result, not only for the fields sent.
    for bad in (
        {"end_on": "2026-09-01"},
        {"start_on": "2026-12-14"},
        {"training_end": "18:00:00"},
        {"end_on": "2027-12-31"},
    ):
        refused = await api_client.put(url, json=bad, headers=admin)
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_course"), bad
    assert (await api_client.get(url, headers=basic)).json()["end_on"] == COURSE["end_on"]

    missing = f"/api/bmq-courses/{uuid.uuid4()}"
    for reply in (
        await api_client.get(missing, headers=basic),
        await api_client.put(missing, json={"name": "x"}, headers=admin),
        await api_client.delete(missing, headers=admin),
        await api_client.get(f"{missing}/enrollments", headers=basic),
    ):
        assert (reply.status_code, reply.json()["code"]) == (404, "bmq_course_not_found")
    assert (await api_client.delete(url, headers=basic)).status_code == 403
    assert (await api_client.delete(url, headers=admin)).status_code == 204
    assert (await api_client.get(url, headers=basic)).status_code == 404


async def test_enrolment_lifecycle_and_course_deletion_cascades(
    api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin, _ = await login_headers(sessionmaker, level=5)
    basic, recruit = await login_headers(sessionmaker, level=1, last_name="Recruit")
    course = (await api_client.post("/api/bmq-courses", json=COURSE, headers=admin)).json()
    base = f"/api/bmq-courses/{course['id']}/enrollments"
    ghost = await api_client.post(base, json={"member_id": str(uuid.uuid4())}, headers=admin)
    assert (ghost.status_code, ghost.json()["code"]) == (404, "member_not_found")
    nowhere = await api_client.post(
        f"/api/bmq-courses/{uuid.uuid4()}/enrollments",
        json={"member_id": str(recruit.id)},
        headers=admin,
    )
    assert nowhere.status_code == 404
    by_basic = await api_client.post(base, json={"member_id": str(recruit.id)}, headers=basic)
    assert by_basic.status_code == 403

    enrolled = await api_client.post(base, json={"member_id": str(recruit.id)}, headers=admin)
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["status"] == "enrolled" and enrolled.json()["completed_at"] is None
    mine = f"/api/bmq-courses/members/{recruit.id}/enrollments"
    assert [e["id"] for e in (await api_client.get(mine, headers=basic)).json()] == [
        enrolled.json()["id"]
    ]
    assert [e["member_id"] for e in (await api_client.get(base, headers=basic)).json()] == [
        str(recruit.id)
    ]

    one = f"/api/bmq-courses/enrollments/{enrolled.json()['id']}"
    done_at = datetime(2026, 12, 14, 22, 0, tzinfo=UTC).isoformat()
    completed = await api_client.put(
        one, json={"status": "completed", "completed_at": done_at}, headers=admin
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "completed"
    assert datetime.fromisoformat(completed.json()["completed_at"]) == datetime.fromisoformat(
        done_at
    )
    # A null completed_at clears it; a null status means "leave as is".
    reopened = await api_client.put(one, json={"status": None, "completed_at": None}, headers=admin)
    assert reopened.json()["status"] == "completed" and reopened.json()["completed_at"] is None
    bad = await api_client.put(one, json={"status": "graduated"}, headers=admin)
    assert bad.status_code == 422
    missing = f"/api/bmq-courses/enrollments/{uuid.uuid4()}"
    for reply in (
        await api_client.put(missing, json={"status": "withdrawn"}, headers=admin),
        await api_client.delete(missing, headers=admin),
    ):
        assert (reply.status_code, reply.json()["code"]) == (404, "bmq_enrollment_not_found")
    assert (await api_client.delete(one, headers=admin)).status_code == 204
    assert (await api_client.get(mine, headers=basic)).json() == []

    again = await api_client.post(base, json={"member_id": str(recruit.id)}, headers=admin)
    assert again.status_code == 201
    assert (
        await api_client.delete(f"/api/bmq-courses/{course['id']}", headers=admin)
    ).status_code == 204
    assert (await api_client.get(mine, headers=basic)).json() == []  # enrolments went with it
