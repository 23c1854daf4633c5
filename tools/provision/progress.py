"""Step-by-step progress lines on stderr for the provisioning CLI (stdout stays for data)."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Prints `==> step ...` and `ok (0.12 s)` or `failed` for each step."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._quiet = quiet

    def note(self, message: str) -> None:
        """Print one informational line."""
        if not self._quiet:
            print(f"    {message}", file=self._stream, flush=True)

    @contextmanager
    def step(self, message: str) -> Iterator[None]:
        """Announce a step, then report how it ended and how long it took."""
        if not self._quiet:
            print(f"==> {message} ...", end=" ", file=self._stream, flush=True)
        started = time.monotonic()
        try:
            yield
        except BaseException:
            if not self._quiet:
                print("failed", file=self._stream, flush=True)
            raise
        if not self._quiet:
            print(f"ok ({time.monotonic() - started:.2f} s)", file=self._stream, flush=True)
