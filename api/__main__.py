"""`python -m api`: serve the API on SENTINEL_API_HOST:SENTINEL_API_PORT."""

import asyncio
import sys

import uvicorn
from pydantic import ValidationError

from api.app import create_app
from shared.db.engine import make_engine
from shared.db.health import database_problem
from shared.logging import configure
from shared.settings import Settings


async def _database_problem(url: str) -> str | None:
    engine = make_engine(url, application_name="sentinel-api-check", pool_size=1)
    try:
        return await database_problem(engine)
    finally:
        await engine.dispose()


def main() -> int:
    """Entry point; returns the process exit code."""
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"api: invalid configuration: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    configure("api", settings.log_level)
    problem = asyncio.run(_database_problem(settings.database_url))
    if problem:
        print(f"api: {problem}", file=sys.stderr)
        return 1
    uvicorn.run(
        create_app(settings), host=settings.api_host, port=settings.api_port, log_config=None
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
