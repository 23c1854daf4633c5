"""`python -m ingest`: run the ingest service until SIGTERM/SIGINT."""

import asyncio
import gc
import logging
import signal
import sys

from prometheus_client import start_http_server
from pydantic import ValidationError

from ingest.app import run
from ingest.startup import StartupError
from shared import event_loop
from shared.logging import configure
from shared.settings import Settings

log = logging.getLogger("ingest")


async def _main(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    log.info(
        "ingest_starting",
        extra={"event_loop": event_loop.name_of(loop), "gc_frozen": gc.get_freeze_count()},
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run(settings, stop=stop)
    log.info("ingest_stopped")


def main() -> int:
    """Entry point; returns the process exit code."""
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"ingest: invalid configuration: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    configure("ingest", settings.log_level)
    if settings.ingest_metrics_port:
        start_http_server(settings.ingest_metrics_port, addr="127.0.0.1")
    # What is alive now (modules, models, compiled schemas) lives as long as the process: kept
    # out of the collector's full passes, which would otherwise walk it again and again while
    # scans allocate (deploy/README.md §8.4: a few per cent more scans/s in a burst).
    gc.collect()
    gc.freeze()
    try:
        event_loop.run(_main(settings), settings.ingest_event_loop)
    except StartupError as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
