"""What the app keeps for its lifetime: settings, engine and session factory."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.clock import Clock
from shared.settings import Settings


@dataclass
class AppState:
    """Process-wide resources, created in `create_app`."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
