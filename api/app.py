"""The FastAPI application factory."""

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.middleware.body_limit import BodyLimitMiddleware
from api.middleware.correlation import CorrelationIdMiddleware
from api.middleware.cors import Cors
from api.middleware.rate_limit import InMemoryRateLimiter, RateLimiter, RateLimitMiddleware, rule
from api.middleware.security_headers import SecurityHeadersMiddleware
from api.routers import ROUTERS
from api.state import AppState
from shared.clock import Clock, SystemClock
from shared.db.engine import make_engine, make_sessionmaker
from shared.settings import Settings

IMPORT_PREFIX = "/api/members/import/"


def create_app(
    settings: Settings, *, clock: Clock | None = None, rate_limiter: RateLimiter | None = None
) -> FastAPI:
    """Build the app; the engine is created here and disposed at shutdown.

    `rate_limiter` holds the per-client buckets: in this process unless a shared one is given
    (see `api.middleware.rate_limit`).
    """
    engine = make_engine(settings.database_url, application_name="sentinel-api")
    state = AppState(settings, engine, make_sessionmaker(engine), clock or SystemClock())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(
        title="Sentinel API",
        version="0.1.0",
        description="Attendance and building responsibility for a naval reserve unit.",
        lifespan=lifespan,
    )
    app.state.sentinel = state
    errors.install(app)
    for name in ROUTERS:
        module = importlib.import_module(f"api.routers.{name}")
        app.include_router(module.router)
    _add_middleware(app, settings, rate_limiter or InMemoryRateLimiter())
    return app


def _add_middleware(app: FastAPI, settings: Settings, limiter: RateLimiter) -> None:
    """Wire the hardening middleware; the last added runs first (outermost).

    Order of a request: security headers → correlation id (which also turns an unhandled error
    into a 500 in the error shape) → CORS → rate limit → body size → the app. So 413, 429, 500
    and CORS refusals carry the id and the headers, and a CORS preflight is not counted
    against the rate limit.
    """
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.api_max_body_bytes,
        overrides=[(IMPORT_PREFIX, settings.api_import_max_body_bytes)],
    )
    app.add_middleware(
        RateLimitMiddleware,
        limiter=limiter,
        general=rule("api", settings.api_rate_limit, settings.api_rate_window_s),
        auth=rule("auth", settings.api_auth_rate_limit, settings.api_auth_rate_window_s),
    )
    app.add_middleware(Cors, origins=settings.api_cors_origins)
    app.add_middleware(CorrelationIdMiddleware)
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(
        SecurityHeadersMiddleware,
        docs_paths=[p for p in docs if p],
        hsts=settings.session_cookie_secure,
    )
