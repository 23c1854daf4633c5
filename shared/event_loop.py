"""The event loop a Sentinel process runs on: uvloop's by default, asyncio's own on request.

uvloop (libuv) runs the callbacks and socket I/O of asyncio's streams and asyncpg's protocol in C,
so a message costs the ingest less CPU; asyncio's loop is kept to rule the loop out when chasing a
problem (`SENTINEL_INGEST_EVENT_LOOP=asyncio`). The API runs on uvicorn, which picks uvloop
by itself when it is installed.
"""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar, get_args

EventLoopName = Literal["uvloop", "asyncio"]
EVENT_LOOPS: tuple[EventLoopName, ...] = get_args(EventLoopName)  # for command-line choices
T = TypeVar("T")


def run(main: Coroutine[Any, Any, T], loop: EventLoopName = "uvloop") -> T:
    """`asyncio.run(main)` on the named event loop."""
    import uvloop  # here, not at the top: the settings import this module's names

    factory: Callable[[], asyncio.AbstractEventLoop] | None = (
        uvloop.new_event_loop if loop == "uvloop" else None
    )
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)


def name_of(loop: asyncio.AbstractEventLoop) -> EventLoopName:
    """Which of the two loops `loop` is (for the logs)."""
    import uvloop

    return "uvloop" if isinstance(loop, uvloop.Loop) else "asyncio"
