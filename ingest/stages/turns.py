"""Batches in turn: the next batch is decided while this one's write is in flight.

A single worker decides most batches from its mirror without reading (`mirror.py`), so the
time its one connection spends on a batch's write is time the CPU could spend deciding the
next batch. A `Turn` is a batch's place in line:

- once the batch has put its decided states in the mirror and sent its write (`writing`), the
  worker takes the next batch and decides it from the mirror, those states included;
- the next batch touches the database only after this one has finished (`wait_previous`), so
  statements, commits and publishes keep the arrival order;
- if this batch was not committed as decided (its write failed and it was applied again
  locked), the next batch's decisions may rest on states that never were, so it is applied
  again locked, from what the database says (`NeedsLock`);
- if this batch failed, the next one fails with the same error and writes nothing.
"""

import asyncio

from ingest import metrics


class Turn:
    """One batch's place in line, after `previous` (None: nothing before it still matters)."""

    def __init__(self, previous: "Turn | None" = None) -> None:
        # A batch before that finished well no longer matters; one that failed still does.
        self.previous = previous if previous is not None and not previous._succeeded else None
        self.go_ahead = asyncio.Event()  # the next batch may be taken and decided
        self.followed = asyncio.Event()  # a later batch is waiting for this one to finish
        self._finished: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    @property
    def finished(self) -> bool:
        """True once the batch was applied (or failed)."""
        return self._finished.done()

    @property
    def _succeeded(self) -> bool:
        done = self._finished
        return done.done() and not done.cancelled() and done.exception() is None

    def writing(self) -> None:
        """The batch's states are in the mirror and its write is being sent."""
        self.go_ahead.set()

    def finish(self, *, as_decided: bool) -> None:
        """The batch was applied: committed as first decided (optimistic) or not (locked)."""
        if not self._finished.done():
            self._finished.set_result(as_decided)
        self._done()

    def fail(self, error: BaseException) -> None:
        """The batch failed or was cancelled: the next one must not write either."""
        if not self._finished.done():
            if isinstance(error, asyncio.CancelledError):
                self._finished.cancel()
            else:
                self._finished.set_exception(error)
                self._finished.exception()  # retrieved here: a batch may have none after it
        self._done()

    async def wait_previous(self) -> bool:
        """Wait for the batch before to finish; True if it was committed as decided.

        Raises what the batch before failed with. Once it returned, it returns True at once
        (the batch before no longer matters).
        """
        previous = self.previous
        if previous is None:
            return True
        if not previous.finished:
            metrics.OVERLAPPED_BATCHES.inc()
            previous.followed.set()
        as_decided = await asyncio.shield(previous._finished)  # raises, every time, if it failed
        self.previous = None
        return as_decided

    def _done(self) -> None:
        self.previous = None  # no chain of finished turns is kept alive
        self.go_ahead.set()
