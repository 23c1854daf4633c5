"""FastAPI dependencies: the request's transaction and the app's resources."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from api.state import AppState
from shared.clock import Clock


def get_state(request: Request) -> AppState:
    """Return the app's resources."""
    state: AppState = request.app.state.sentinel
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """Open a transaction that commits when the handler returns and rolls back on error."""
    async with state.sessionmaker.begin() as session:
        yield session


def get_clock(state: StateDep) -> Clock:
    """Return the app's clock."""
    return state.clock


SessionDep = Annotated[AsyncSession, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]
