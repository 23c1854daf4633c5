"""API hardening (issue 10): rate limits, CORS, body size, security headers, correlation ids.

Each test builds the real app on the test's database with the settings it needs; the rate
limiter runs on a hand-moved clock, so nothing sleeps.
"""

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from api.middleware.rate_limit import InMemoryRateLimiter
from shared.contracts import topics
from shared.db.models import AuditLog, OutboxMessage
from shared.logging import correlation_id
from shared.settings import Settings
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import make_member
from tests.fixtures.ingest import RunningIngest
from tests.fixtures.mqtt import MqttProbe

LISTED = "https://admin.example.org"
UNLISTED = "https://evil.example.com"
HEX_ID = re.compile(r"[0-9a-f]{32}")


class ManualClock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class Api:
    """Builds clients for one app, each with its own client address."""

    def __init__(self, app: Any) -> None:
        self.app = app

    @asynccontextmanager
    async def client(self, address: str = "10.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


@pytest.fixture
def limiter_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_api(database_url: str, limiter_clock: ManualClock) -> Callable[..., Any]:
    @asynccontextmanager
    async def make(**overrides: object) -> AsyncIterator[Api]:
        settings = Settings.model_validate(
            {"database_url": database_url, "mqtt_url": "mqtt://127.0.0.1:9", **overrides}
        )
        app = create_app(settings, rate_limiter=InMemoryRateLimiter(clock=limiter_clock))
        async with app.router.lifespan_context(app):
            yield Api(app)

    return make


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert HEX_ID.fullmatch(response.headers["x-correlation-id"])
    return body


class TestRateLimits:
    async def test_over_the_limit_answers_429_with_retry_after_until_a_token_refills(
        self, make_api: Callable[..., Any], limiter_clock: ManualClock
    ) -> None:
        async with make_api(api_rate_limit=3, api_rate_window_s=60) as api, api.client() as c:
            for _ in range(3):
                assert (await c.get("/openapi.json")).status_code == 200
            refused = await c.get("/openapi.json")
            body = assert_error(refused, 429, "rate_limited")
            assert refused.headers["retry-after"] == "20"  # one request per 60/3 s
            assert body["details"]["retry_after_s"] == 20
            assert refused.headers["x-content-type-options"] == "nosniff"
            limiter_clock.t += 19
            assert (await c.get("/openapi.json")).headers["retry-after"] == "1"
            limiter_clock.t += 1
            assert (await c.get("/openapi.json")).status_code == 200
            assert (await c.get("/openapi.json")).status_code == 429

    async def test_each_client_address_has_its_own_bucket_and_health_is_exempt(
        self, make_api: Callable[..., Any]
    ) -> None:
        async with make_api(api_rate_limit=2) as api:
            async with api.client("10.0.0.1") as first:
                for _ in range(2):
                    assert (await first.get("/openapi.json")).status_code == 200
                assert (await first.get("/openapi.json")).status_code == 429
                for _ in range(5):
                    assert (await first.get("/health")).status_code == 200
                    assert (await first.get("/metrics")).status_code == 200
            async with api.client("10.0.0.2") as second:
                assert (await second.get("/openapi.json")).status_code == 200
                assert (await second.get("/openapi.json")).status_code == 200
                assert (await second.get("/openapi.json")).status_code == 429

    async def test_sign_in_has_a_stricter_limit_than_the_rest(
        self, make_api: Callable[..., Any]
    ) -> None:
        body = {"serial_number": "DEADBEEF", "pin": "2580"}
        async with make_api(api_rate_limit=100, api_auth_rate_limit=2) as api, api.client() as c:
            for _ in range(2):
                assert (await c.post("/api/auth/login", json=body)).status_code == 401
            refused = await c.post("/api/auth/login", json=body)
            assert_error(refused, 429, "rate_limited")
            assert int(refused.headers["retry-after"]) == 30
            assert (await c.get("/openapi.json")).status_code == 200  # only auth is exhausted
            async with api.client("10.0.0.9") as other:
                assert (await other.post("/api/auth/login", json=body)).status_code == 401

    async def test_default_limits_let_a_busy_client_through(
        self, make_api: Callable[..., Any]
    ) -> None:
        async with make_api() as api, api.client() as c:
            for _ in range(100):
                assert (await c.get("/openapi.json")).status_code == 200


class TestCors:
    async def test_nothing_is_open_by_default(self, make_api: Callable[..., Any]) -> None:
        async with make_api() as api, api.client() as c:
            preflight = await c.options(
                "/api/members",
                headers={"Origin": LISTED, "Access-Control-Request-Method": "GET"},
            )
            assert_error(preflight, 400, "cors_refused")
            assert "access-control-allow-origin" not in preflight.headers
            simple = await c.get("/health", headers={"Origin": LISTED})
            assert "access-control-allow-origin" not in simple.headers

    async def test_a_listed_origin_is_allowed(self, make_api: Callable[..., Any]) -> None:
        async with make_api(api_cors_origins=[LISTED]) as api, api.client() as c:
            preflight = await c.options(
                "/api/auth/login",
                headers={
                    "Origin": LISTED,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type, x-correlation-id",
                },
            )
            assert preflight.status_code == 200, preflight.text
            assert preflight.headers["access-control-allow-origin"] == LISTED
            assert preflight.headers["access-control-allow-credentials"] == "true"
            assert "POST" in preflight.headers["access-control-allow-methods"]
            simple = await c.get("/health", headers={"Origin": LISTED})
            assert simple.headers["access-control-allow-origin"] == LISTED
            assert "X-Correlation-ID" in simple.headers["access-control-expose-headers"]

    async def test_an_unlisted_origin_is_refused(self, make_api: Callable[..., Any]) -> None:
        async with make_api(api_cors_origins=[LISTED]) as api, api.client() as c:
            preflight = await c.options(
                "/api/auth/login",
                headers={"Origin": UNLISTED, "Access-Control-Request-Method": "POST"},
            )
            body = assert_error(preflight, 400, "cors_refused")
            assert "origin" in body["message"]
            assert "access-control-allow-origin" not in preflight.headers
            simple = await c.get("/health", headers={"Origin": UNLISTED})
            assert simple.status_code == 200
            assert "access-control-allow-origin" not in simple.headers


async def chunks(total: int, size: int = 256) -> AsyncIterator[bytes]:
    """A request body streamed without Content-Length (httpx sends it chunked)."""
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield b" " * n
        sent += n


class TestBodyLimit:
    async def test_a_declared_length_over_the_limit_is_refused(
        self, make_api: Callable[..., Any]
    ) -> None:
        async with make_api(api_max_body_bytes=1024) as api, api.client() as c:
            response = await c.post(
                "/api/auth/login",
                content=b'{"serial_number": "' + b"A" * 2000 + b'", "pin": "1"}',
                headers={"Content-Type": "application/json"},
            )
            body = assert_error(response, 413, "payload_too_large")
            assert body["details"] == {"max_bytes": 1024}
            assert response.headers["x-frame-options"] == "DENY"

    async def test_a_streamed_body_is_counted_and_refused_past_the_limit(
        self, make_api: Callable[..., Any]
    ) -> None:
        async with make_api(api_max_body_bytes=1024) as api, api.client() as c:
            request = c.build_request(
                "POST",
                "/api/auth/login",
                content=chunks(4096),
                headers={"Content-Type": "application/json"},
            )
            assert "content-length" not in request.headers
            assert request.headers["transfer-encoding"] == "chunked"
            assert_error(await c.send(request), 413, "payload_too_large")
            # Under the limit the same kind of body reaches the handler (bad JSON: 422).
            small = c.build_request(
                "POST",
                "/api/auth/login",
                content=chunks(600),
                headers={"Content-Type": "application/json"},
            )
            assert (await c.send(small)).status_code == 422

    async def test_the_member_import_has_a_larger_limit(self, make_api: Callable[..., Any]) -> None:
        big = {"csv_text": "x" * 4000}
        async with (
            make_api(api_max_body_bytes=1024, api_import_max_body_bytes=8192) as api,
            api.client() as c,
        ):
            # Past the general limit but within the import's: the body is read, then 401.
            assert (await c.post("/api/members/import/preview", json=big)).status_code == 401
            assert (await c.post("/api/members", json=big)).status_code == 413
            huge = {"csv_text": "x" * 9000}
            response = await c.post("/api/members/import/preview", json=huge)
            assert_error(response, 413, "payload_too_large")


class TestSecurityHeaders:
    async def test_json_answers_get_the_strict_headers(self, make_api: Callable[..., Any]) -> None:
        async with make_api() as api, api.client() as c:
            for response in (await c.get("/openapi.json"), await c.get("/api/members")):
                assert response.headers["x-content-type-options"] == "nosniff"
                assert response.headers["x-frame-options"] == "DENY"
                assert response.headers["referrer-policy"] == "no-referrer"
                csp = response.headers["content-security-policy"]
                assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
                assert response.headers["cache-control"] == "no-store"
                assert "strict-transport-security" not in response.headers
            assert response.status_code == 401  # error answers get them too

    async def test_the_docs_pages_may_load_their_assets(self, make_api: Callable[..., Any]) -> None:
        async with make_api() as api, api.client() as c:
            for path in ("/docs", "/redoc"):
                page = await c.get(path)
                assert page.status_code == 200
                assert "cdn.jsdelivr.net" in page.text
                csp = page.headers["content-security-policy"]
                assert "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net" in csp
                assert page.headers["x-content-type-options"] == "nosniff"
                assert "cache-control" not in page.headers

    async def test_hsts_only_when_served_over_https(self, make_api: Callable[..., Any]) -> None:
        async with make_api(session_cookie_secure=True) as api, api.client() as c:
            response = await c.get("/health")
            assert response.headers["strict-transport-security"] == "max-age=31536000"


class Captured(logging.Handler):
    """Keeps the correlation id in force when each record was logged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.getMessage(), correlation_id.get()))


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    logger = logging.getLogger("api.middleware.correlation")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.setLevel(level)
    logger.removeHandler(handler)


class TestCorrelationId:
    async def test_a_sane_id_is_kept_and_set_for_the_request(
        self, make_api: Callable[..., Any], captured: Captured
    ) -> None:
        async with make_api() as api, api.client() as c:
            response = await c.get("/health", headers={"X-Correlation-ID": "tap-42.A_b"})
        assert response.headers["x-correlation-id"] == "tap-42.A_b"
        assert ("http_request", "tap-42.A_b") in captured.seen
        assert correlation_id.get() is None  # reset after the request

    async def test_an_absent_id_is_generated(self, make_api: Callable[..., Any]) -> None:
        async with make_api() as api, api.client() as c:
            first = (await c.get("/health")).headers["x-correlation-id"]
            second = (await c.get("/health")).headers["x-correlation-id"]
        assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second) and first != second

    @pytest.mark.parametrize("bad", ["x" * 65, "has space", "a;b", "<script>", "a/b"])
    async def test_a_malformed_id_is_replaced(self, make_api: Callable[..., Any], bad: str) -> None:
        async with make_api() as api, api.client() as c:
            response = await c.get("/health", headers={"X-Correlation-ID": bad})
        assert HEX_ID.fullmatch(response.headers["x-correlation-id"])

    async def test_errors_carry_it_and_an_unhandled_one_keeps_the_error_shape(
        self, make_api: Callable[..., Any], captured: Captured
    ) -> None:
        async with make_api() as api:

            @api.app.get("/boom")
            async def boom() -> None:
                raise RuntimeError("kaput")

            async with api.client() as c:
                missing = await c.get("/nowhere", headers={"X-Correlation-ID": "req-1"})
                failed = await c.get("/boom", headers={"X-Correlation-ID": "req-2"})
        assert missing.status_code == 404 and missing.headers["x-correlation-id"] == "req-1"
        assert failed.status_code == 500 and failed.headers["x-correlation-id"] == "req-2"
        assert failed.json()["code"] == "internal_error"
        assert failed.headers["x-content-type-options"] == "nosniff"
        assert ("request_failed", "req-2") in captured.seen

    async def test_outbox_rows_of_an_api_change_store_the_request_id(
        self, make_api: Callable[..., Any], sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        admin, _ = await login_headers(sessionmaker, level=5)
        async with sessionmaker.begin() as s:
            first = await make_member(s, last_name="Traced")
            second = await make_member(s, last_name="Untraced")
        async with make_api() as api, api.client() as c:
            given = await c.post(
                "/api/checkins",
                json={"member_id": str(first.id)},
                headers={**admin, "X-Correlation-ID": "admin-ui.7f3c"},
            )
            assert given.status_code == 201, given.text
            async with sessionmaker() as s:
                rows = list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
            assert rows and {r.correlation_id for r in rows} == {"admin-ui.7f3c"}
            async with sessionmaker() as s:
                audited = list(await s.scalars(select(AuditLog.correlation_id)))
            assert audited and set(audited) == {"admin-ui.7f3c"}  # the audit trail too
            generated = await c.post(
                "/api/checkins", json={"member_id": str(second.id)}, headers=admin
            )
            assert generated.status_code == 201, generated.text
        async with sessionmaker() as s:
            later = list(
                await s.scalars(select(OutboxMessage).where(OutboxMessage.id > rows[-1].id))
            )
        assert later and {r.correlation_id for r in later} == {
            generated.headers["x-correlation-id"]
        }
        assert topics.CHECKIN_EVENTS in {r.topic for r in later}


class RelayLog(logging.Handler):
    """Signals when the relay logs the message with the wanted correlation id."""

    def __init__(self, wanted: str) -> None:
        super().__init__(logging.DEBUG)
        self.wanted = wanted
        self.topics: list[str] = []
        self.found = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "correlation_id", None) == self.wanted:
            self.topics.append(getattr(record, "topic", ""))
            if getattr(record, "topic", None) == topics.CHECKIN_EVENTS:
                self.found.set()


async def test_the_relay_logs_the_request_id_of_the_message_it_publishes(
    ingest: RunningIngest, probe: MqttProbe, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """MQTT 3.1.1 has no user properties: the id reaches the relay's log line via the row."""
    admin, _ = await login_headers(sessionmaker, level=5)
    async with sessionmaker.begin() as s:
        member = await make_member(s, last_name="Relayed")
    await probe.subscribe(topics.CHECKIN_EVENTS)
    handler = RelayLog("kiosk.req-99")
    logger = logging.getLogger("ingest.outbox_relay")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        app = create_app(ingest.settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            made = await c.post(
                "/api/checkins",
                json={"member_id": str(member.id)},
                headers={**admin, "X-Correlation-ID": "kiosk.req-99"},
            )
        assert made.status_code == 201, made.text
        event = (await probe.next(topics.CHECKIN_EVENTS, timeout=10)).json()
        assert event["id"] == made.json()["id"]
        await asyncio.wait_for(handler.found.wait(), timeout=10)
        # The rest of that commit went out in the same batch, each logged with the same id.
        assert topics.presence_member(member.id) in handler.topics
        assert topics.PRESENCE_SUMMARY in handler.topics
    finally:
        logger.setLevel(level)
        logger.removeHandler(handler)
