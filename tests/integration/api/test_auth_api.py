"""Sign-in with badge + PIN, temporary PINs, lockout, sessions and API keys over HTTP."""

from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from shared.clock import FrozenClock
from shared.db.models import AuditLog, Member, MemberSession
from shared.pins import hash_pin
from shared.settings import Settings
from shared.store.sessions import end_all_sessions
from tests.fixtures.auth import api_key_headers, login_headers
from tests.fixtures.factories import MadeMember, make_member


async def member_with_pin(
    sm: async_sessionmaker[AsyncSession], pin: str = "2580", *, level: int = 1, **kw: object
) -> MadeMember:
    async with sm.begin() as s:
        member = await make_member(s, **kw)  # type: ignore[arg-type]
        await s.execute(
            update(Member)
            .where(Member.id == member.id)
            .values(pin_hash=await hash_pin(pin), account_level=level)
        )
    return member


async def login(client: httpx.AsyncClient, serial: str, pin: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"serial_number": serial, "pin": pin})


class TestLogin:
    async def test_badge_and_pin_give_a_session_usable_as_cookie_and_bearer(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        member = await member_with_pin(sessionmaker)
        response = await login(api_client, member.uid.lower(), "2580")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["member"]["id"] == str(member.id) and not body["member"]["must_change_pin"]
        assert "sentinel-session" in response.cookies
        me = await api_client.get("/api/auth/session")  # the cookie jar carries the session
        assert me.status_code == 200 and me.json()["member_id"] == str(member.id)
        api_client.cookies.clear()
        bearer = {"Authorization": f"Bearer {body['token']}"}
        assert (await api_client.get("/api/presence", headers=bearer)).status_code == 200
        async with sessionmaker() as s:
            stored = (await s.execute(select(MemberSession))).scalar_one()
            actions = list(await s.scalars(select(AuditLog.action)))
        assert stored.token_hash != body["token"] and len(stored.token_hash) == 64
        assert "login" in actions

    async def test_wrong_pin_and_unknown_badge_look_the_same(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        member = await member_with_pin(sessionmaker)
        wrong = await login(api_client, member.uid, "9999")
        unknown = await login(api_client, "DEADBEEF", "2580")
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert wrong.json()["code"] == "invalid_credentials"

    async def test_inactive_badge_or_member_cannot_sign_in(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        lost = await member_with_pin(sessionmaker, badge_status="lost")
        gone = await member_with_pin(sessionmaker, status="inactive")
        assert (await login(api_client, lost.uid, "2580")).status_code == 401
        assert (await login(api_client, gone.uid, "2580")).status_code == 401

    async def test_malformed_body_is_422(self, api_client: httpx.AsyncClient) -> None:
        response = await api_client.post("/api/auth/login", json={"serial_number": "AB"})
        assert response.status_code == 422 and response.json()["code"] == "invalid_input"


class TestLockout:
    async def test_five_failures_lock_the_badge_even_for_the_right_pin(
        self,
        api_client: httpx.AsyncClient,
        api_clock: FrozenClock,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        member = await member_with_pin(sessionmaker)
        for _ in range(5):
            assert (await login(api_client, member.uid, "1111")).status_code == 401
        locked = await login(api_client, member.uid, "2580")
        assert locked.status_code == 429
        assert locked.json()["code"] == "too_many_attempts"
        assert 0 < int(locked.headers["retry-after"]) <= 15 * 60 + 1
        api_clock.advance(timedelta(minutes=16))
        assert (await login(api_client, member.uid, "2580")).status_code == 200
        # Success clears the badge's count: one more failure does not lock again.
        assert (await login(api_client, member.uid, "1111")).status_code == 401
        assert (await login(api_client, member.uid, "2580")).status_code == 200

    async def test_failures_from_one_address_lock_that_address(
        self, database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = Settings.model_validate(
            {
                "database_url": database_url,
                "mqtt_url": "mqtt://127.0.0.1:9",
                "login_ip_max_failures": 3,
            }
        )
        member = await member_with_pin(sessionmaker)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                for serial in ("AA000001", "AA000002", "AA000003"):
                    assert (await login(client, serial, "2580")).status_code == 401
                assert (await login(client, member.uid, "2580")).status_code == 429
            other = httpx.ASGITransport(app=app, client=("10.9.9.9", 5000))
            async with httpx.AsyncClient(transport=other, base_url="http://t") as client:
                assert (await login(client, member.uid, "2580")).status_code == 200


class TestPins:
    async def test_temporary_pin_must_be_changed_before_anything_else(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        async with sessionmaker.begin() as s:
            member = await make_member(s)
        issued = await api_client.post(
            "/api/auth/set-pin", json={"member_id": str(member.id)}, headers=admin
        )
        assert issued.status_code == 200, issued.text
        pin = issued.json()["temporary_pin"]
        body = (await login(api_client, member.uid, pin)).json()
        headers = {"Authorization": f"Bearer {body['token']}"}
        api_client.cookies.clear()
        assert body["member"]["must_change_pin"] is True
        blocked = await api_client.get("/api/presence", headers=headers)
        assert blocked.status_code == 403 and blocked.json()["code"] == "pin_change_required"
        session = await api_client.get("/api/auth/session", headers=headers)
        assert session.status_code == 200 and session.json()["must_change_pin"] is True
        weak = await api_client.post(
            "/api/auth/change-pin", json={"new_pin": "1234"}, headers=headers
        )
        assert weak.status_code == 422 and weak.json()["code"] == "pin_disallowed"
        short = await api_client.post(
            "/api/auth/change-pin", json={"new_pin": "12a"}, headers=headers
        )
        assert short.status_code == 422 and short.json()["code"] == "pin_format"
        done = await api_client.post(
            "/api/auth/change-pin", json={"new_pin": "3691"}, headers=headers
        )
        assert done.status_code == 204
        assert (await api_client.get("/api/presence", headers=headers)).status_code == 200
        assert (await login(api_client, member.uid, "3691")).status_code == 200

    async def test_changing_a_pin_needs_the_current_one(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        member = await member_with_pin(sessionmaker)
        token = (await login(api_client, member.uid, "2580")).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        wrong = await api_client.post(
            "/api/auth/change-pin", json={"current_pin": "0000", "new_pin": "3691"}, headers=headers
        )
        assert wrong.status_code == 403 and wrong.json()["code"] == "pin_incorrect"
        ok = await api_client.post(
            "/api/auth/change-pin", json={"current_pin": "2580", "new_pin": "3691"}, headers=headers
        )
        assert ok.status_code == 204

    async def test_set_pin_needs_admin_and_cannot_reach_a_higher_level(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        command, _ = await login_headers(sessionmaker, level=4)
        admin, _ = await login_headers(sessionmaker, level=5)
        _, developer = await login_headers(sessionmaker, level=6)
        body = {"member_id": str(developer.id), "pin": "3691"}
        assert (
            await api_client.post("/api/auth/set-pin", json=body, headers=command)
        ).status_code == 403
        assert (
            await api_client.post("/api/auth/set-pin", json=body, headers=admin)
        ).status_code == 403
        missing = {"member_id": "00000000-0000-0000-0000-000000000000"}
        assert (
            await api_client.post("/api/auth/set-pin", json=missing, headers=admin)
        ).status_code == 404


class TestSessions:
    async def test_logout_ends_the_session(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        headers, _ = await login_headers(sessionmaker, level=1)
        assert (await api_client.post("/api/auth/logout", headers=headers)).status_code == 204
        assert (await api_client.get("/api/auth/session", headers=headers)).status_code == 401

    async def test_sessions_expire_after_seven_days(
        self,
        api_client: httpx.AsyncClient,
        api_clock: FrozenClock,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        headers, _ = await login_headers(sessionmaker, level=1, now=api_clock.now())
        api_clock.advance(timedelta(days=6, hours=23))
        assert (await api_client.get("/api/auth/session", headers=headers)).status_code == 200
        api_clock.advance(timedelta(hours=2))
        assert (await api_client.get("/api/auth/session", headers=headers)).status_code == 401

    async def test_admin_lists_and_revokes_sessions(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        victim, member = await login_headers(sessionmaker, level=1)
        listed = await api_client.get(
            "/api/auth/sessions", params={"member_id": str(member.id)}, headers=admin
        )
        assert listed.status_code == 200 and len(listed.json()) == 1
        session_id = listed.json()[0]["id"]
        revoked = await api_client.delete(f"/api/auth/sessions/{session_id}", headers=admin)
        assert revoked.status_code == 204
        assert (await api_client.get("/api/auth/session", headers=victim)).status_code == 401
        again = await api_client.delete(f"/api/auth/sessions/{session_id}", headers=admin)
        assert again.status_code == 404
        assert (await api_client.get("/api/auth/sessions", headers=victim)).status_code == 401

    async def test_end_all_ends_every_open_session(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        other, _ = await login_headers(sessionmaker, level=1)
        basic = await api_client.post("/api/auth/sessions/end-all", json={}, headers=other)
        assert basic.status_code == 403
        ended = await api_client.post(
            "/api/auth/sessions/end-all", json={"reason": "revoked"}, headers=admin
        )
        assert ended.status_code == 200 and ended.json() == {"ended": 2}
        assert (await api_client.get("/api/auth/session", headers=other)).status_code == 401

    async def test_end_all_sessions_for_the_daily_reset(
        self, api_clock: FrozenClock, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        await login_headers(sessionmaker, level=1)
        await login_headers(sessionmaker, level=2)
        async with sessionmaker.begin() as s:
            assert await end_all_sessions(s, reason="daily_reset", now=api_clock.now()) == 2
            assert await end_all_sessions(s, reason="daily_reset", now=api_clock.now()) == 0
        async with sessionmaker() as s:
            reasons = set(await s.scalars(select(MemberSession.end_reason)))
        assert reasons == {"daily_reset"}

    async def test_archiving_a_member_ends_their_sessions(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        headers, member = await login_headers(sessionmaker, level=1)
        assert (
            await api_client.delete(f"/api/members/{member.id}", headers=admin)
        ).status_code == 204
        assert (await api_client.get("/api/auth/session", headers=headers)).status_code == 401


class TestApiKeys:
    async def test_admin_issues_a_scoped_key_that_can_be_revoked(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        created = await api_client.post(
            "/api/auth/api-keys",
            json={"name": "lobby screen", "scopes": ["presence:read"]},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        key = created.json()["key"]
        assert key.startswith("sk_") and created.json()["prefix"] == key[:11]
        bearer = {"Authorization": f"Bearer {key}"}
        assert (await api_client.get("/api/presence", headers=bearer)).status_code == 200
        assert (await api_client.get("/api/members", headers=bearer)).status_code == 403
        listed = (await api_client.get("/api/auth/api-keys", headers=admin)).json()
        assert "key" not in listed[0] and listed[0]["last_used_at"] is not None
        key_id = created.json()["id"]
        assert (
            await api_client.delete(f"/api/auth/api-keys/{key_id}", headers=admin)
        ).status_code == 204
        assert (await api_client.get("/api/presence", headers=bearer)).status_code == 401
        assert (
            await api_client.delete(f"/api/auth/api-keys/{key_id}", headers=admin)
        ).status_code == 404

    async def test_expired_key_is_refused(
        self,
        api_client: httpx.AsyncClient,
        api_clock: FrozenClock,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        expires = (api_clock.now() + timedelta(hours=1)).isoformat()
        key = (
            await api_client.post(
                "/api/auth/api-keys",
                json={"name": "temp", "scopes": ["presence:read"], "expires_at": expires},
                headers=admin,
            )
        ).json()["key"]
        assert (
            await api_client.get("/api/presence", headers={"X-API-Key": key})
        ).status_code == 200
        api_clock.advance(timedelta(hours=2))
        assert (
            await api_client.get("/api/presence", headers={"X-API-Key": key})
        ).status_code == 401

    async def test_bad_scopes_and_low_levels_are_refused(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        command, _ = await login_headers(sessionmaker, level=4)
        key = await api_key_headers(sessionmaker, scopes=["members:write"])
        body = {"name": "x", "scopes": ["root"]}
        assert (
            await api_client.post("/api/auth/api-keys", json=body, headers=admin)
        ).status_code == 422
        good = {"name": "x", "scopes": ["presence:read"]}
        assert (
            await api_client.post("/api/auth/api-keys", json=good, headers=command)
        ).status_code == 403
        assert (
            await api_client.post("/api/auth/api-keys", json=good, headers=key)
        ).status_code == 403
