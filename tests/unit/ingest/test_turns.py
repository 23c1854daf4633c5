"""Batches in turn (`ingest.stages.turns`): who may go ahead, and what the next batch learns."""

import asyncio

import pytest

from ingest import metrics
from ingest.dberrors import DatabaseUnavailable
from ingest.stages.turns import Turn


async def test_the_first_batch_waits_for_nothing() -> None:
    turn = Turn()
    assert await turn.wait_previous() is True
    assert not turn.go_ahead.is_set()


async def test_the_next_batch_goes_ahead_once_the_one_before_writes_or_finishes() -> None:
    writing, finishing, failing = Turn(), Turn(), Turn()
    writing.writing()
    finishing.finish(as_decided=False)
    failing.fail(DatabaseUnavailable("gone"))
    assert writing.go_ahead.is_set() and finishing.go_ahead.is_set() and failing.go_ahead.is_set()
    assert not writing.finished and finishing.finished and failing.finished


async def test_the_next_batch_learns_whether_the_one_before_committed_as_decided() -> None:
    before = Turn()
    after = Turn(before)
    overlapped = metrics.OVERLAPPED_BATCHES._value.get()
    waiting = asyncio.create_task(after.wait_previous())
    async with asyncio.timeout(5):
        await before.followed.wait()
    assert not waiting.done()
    before.finish(as_decided=False)
    async with asyncio.timeout(5):
        assert await waiting is False
    assert metrics.OVERLAPPED_BATCHES._value.get() == overlapped + 1
    assert await after.wait_previous() is True  # told once; then it no longer matters


async def test_a_batch_made_after_the_one_before_finished_waits_for_nothing() -> None:
    before = Turn()
    before.finish(as_decided=False)
    after = Turn(before)
    overlapped = metrics.OVERLAPPED_BATCHES._value.get()
    assert after.previous is None and await after.wait_previous() is True
    assert metrics.OVERLAPPED_BATCHES._value.get() == overlapped


async def test_the_failure_of_the_batch_before_is_raised_every_time() -> None:
    before = Turn()
    after = Turn(before)
    before.fail(DatabaseUnavailable("connection lost"))
    for _ in range(2):  # the optimistic attempt, then the locked path: neither may write
        with pytest.raises(DatabaseUnavailable, match="connection lost"):
            await after.wait_previous()


async def test_a_cancelled_batch_before_cancels_the_wait() -> None:
    before = Turn()
    after = Turn(before)
    before.fail(asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await after.wait_previous()


async def test_a_batch_keeps_no_chain_of_finished_batches() -> None:
    first = Turn()
    second = Turn(first)
    first.finish(as_decided=True)
    assert await second.wait_previous() is True
    assert second.previous is None
    second.finish(as_decided=True)
    third = Turn(second)
    assert third.previous is None


async def test_a_batch_made_after_the_one_before_failed_still_hears_of_it() -> None:
    before = Turn()
    before.fail(DatabaseUnavailable("connection lost"))
    after = Turn(before)  # taken in the moment before the pipeline stops
    with pytest.raises(DatabaseUnavailable):
        await after.wait_previous()
