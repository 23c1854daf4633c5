"""The FastAPI application factory."""

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.routers import ROUTERS
from api.state import AppState
from shared.clock import Clock, SystemClock
from shared.db.engine import make_engine, make_sessionmaker
from shared.settings import Settings


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """Build the app; the engine is created here and disposed at shutdown."""
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
    return app
