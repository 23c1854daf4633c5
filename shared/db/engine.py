"""The async engine and session factory (asyncpg), one per process."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def make_engine(
    url: str,
    *,
    application_name: str,
    pool_size: int = 5,
    pre_ping: bool = True,
    probes_only: bool = False,
) -> AsyncEngine:
    """Create the engine; `application_name` shows the service in `pg_stat_activity`.

    `pre_ping` checks each connection at checkout (three round trips with asyncpg); services
    that handle a lost connection themselves turn it off on their hot path.

    `probes_only` is for a pool that runs only key lookups and inserts, over and over (the
    ingest's batches): each prepared statement is planned once per connection, and never
    with a sequential scan where an index serves. Planning at every execution took longer
    than running a one-scan batch; and a plan chosen while a table was empty (a new
    deployment, the first minute of a day's table) scanned it whole for every key once it
    had grown, until autovacuum's next ANALYZE: seconds per batch at 20,000 rows. JIT is off:
    a statement that needs a table scan after all gets the seqscan penalty as its cost, far
    above the JIT threshold, and was compiled at every execution (0.8 s for a 0.5 ms read).
    """
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=5,
        pool_pre_ping=pre_ping,
        connect_args={
            "server_settings": server_settings(application_name, probes_only=probes_only),
            "timeout": 10,
            "command_timeout": 30,
        },
    )


def driver_dsn(url: str) -> str:
    """The asyncpg form of a `postgresql+asyncpg://` URL (for connections outside SQLAlchemy)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def server_settings(application_name: str, *, probes_only: bool = False) -> dict[str, str]:
    """A connection's session settings (see `make_engine` for `probes_only`)."""
    settings = {"application_name": application_name}
    if probes_only:
        settings |= {
            "plan_cache_mode": "force_generic_plan",
            "enable_seqscan": "off",
            "jit": "off",
        }
    return settings


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory used by every edge."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def autocommit_session(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session whose statements each commit on their own.

    For work that is one statement (a read, one UPDATE): it saves the BEGIN and COMMIT (or
    ROLLBACK) round trips a transaction costs.
    """
    async with sessionmaker() as session:
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session
