"""Waiting on an event with a timeout, without losing a cancellation.

On Python 3.11 `asyncio.wait_for(event.wait(), t)` can swallow the task's cancellation when the
event is set at the moment the task is cancelled (CPython gh-86296, fixed in 3.12): a loop built
on it then never ends, and neither does the TaskGroup waiting for it. `asyncio.timeout` counts
cancellations and lets an outside one through.
"""

import asyncio


async def wait_event(event: asyncio.Event, timeout_s: float) -> bool:
    """Wait until `event` is set or `timeout_s` passes; return whether it is set."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return event.is_set()
    return True
