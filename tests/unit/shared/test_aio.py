"""`wait_event`: a timed wait on an event that never swallows the task's cancellation."""

import asyncio

import pytest

from shared.aio import wait_event


async def test_returns_true_once_the_event_is_set() -> None:
    event = asyncio.Event()
    asyncio.get_running_loop().call_soon(event.set)
    assert await wait_event(event, 5) is True


async def test_returns_false_when_the_time_runs_out() -> None:
    assert await wait_event(asyncio.Event(), 0.01) is False


async def test_a_cancellation_at_the_moment_the_event_is_set_ends_the_loop() -> None:
    # The shape of the ingest's relay loop. With `asyncio.wait_for` on Python 3.11 the
    # cancellation is swallowed here and the loop runs on (gh-86296).
    event = asyncio.Event()
    rounds = 0

    async def relay_loop() -> None:
        nonlocal rounds
        while True:
            event.clear()
            await wait_event(event, 10)
            rounds += 1

    task = asyncio.create_task(relay_loop())
    await asyncio.sleep(0)  # the loop is now waiting on the event
    event.set()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(2):
            await task
    assert rounds == 0
