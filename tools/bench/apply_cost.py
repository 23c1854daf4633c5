"""`python -m tools.bench.apply_cost`: the worker's CPU per batch and per scan, in-process.

The end-to-end benchmark (`tools.bench.ingest`) measures what a reader sees, with four
processes sharing the machine and a machine that runs slower after idleness; its figures move by
tens of per cent from run to run. This one calls the apply stage (`ingest.stages.apply`) back to
back in one process, on the hot path the worker takes (optimistic, decided from its mirror, one
write statement), and reads the process's own CPU clock, and the CPU clock of the PostgreSQL
backend serving its connection when the server runs on this machine: one-scan batches and
`--big`-scan batches give the fixed cost of a batch and the cost of each scan in it, on each
side. Next to them, in the same run, the floor: a bare `SELECT 1` round trip on the same kind
of connection. Publishing, the flushing commit and the broker are not in it (see the README,
"How a scan goes through the ingest"). Starts PostgreSQL unless `SENTINEL_DATABASE_URL` names
one; writes JSON under `bench-results/`.
"""

import argparse
import json
import random
import shutil
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ingest.app import commit_links
from ingest.inbound import Inbound
from ingest.policy import policy_from
from ingest.stages import mirror as mirror_stage
from ingest.stages import scan_io
from ingest.stages.apply import apply_batch
from ingest.stages.batch_tx import OptimisticTx
from ingest.stages.mirror import ScanMirror
from shared import event_loop
from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from shared.db.engine import make_engine
from shared.domain.opday import operational_date
from shared.settings import Settings
from tools.bench.common import cpu_seconds, seed_unit, tap, write_results
from tools.stack import start_database

console = Console(stderr=True)
READERS = 20


@dataclass
class Taps:
    """Scans of every seeded badge in turn (`tools.bench.common.tap`)."""

    uids: list[str]
    boot: str
    base_s: float
    sent: int = 0

    def batch(self, size: int) -> list[Inbound]:
        """The next `size` scans, as the receive stage hands them on."""
        out = []
        for _ in range(size):
            device, _, payload = tap(
                self.sent,
                uids=self.uids,
                readers=READERS,
                boot=self.boot,
                base_s=self.base_s,
                prefix="cost",
            )
            topic = topics.reader(device, ReaderTopic.SCAN)
            out.append(Inbound(topic, payload, self.sent, 1, datetime.now(UTC)))
            self.sent += 1
        return out


def _counter(name: str, labels: dict[str, str]) -> float:
    """A worker counter's value so far (`ingest.metrics`)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _hot_path() -> tuple[float, float]:
    """Batches so far on the optimistic path, and decided from the mirror without a read."""
    return (
        _counter("sentinel_ingest_batches_total", {"path": "optimistic"}),
        _counter("sentinel_ingest_mirror_answers_total", {"answer": "hit"}),
    )


async def _measure(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    members = await seed_unit(database_url, args.members)
    settings = Settings(database_url=database_url)
    policy = policy_from(settings)
    driver, _ = commit_links(settings)  # the batches' link; no flushing commits measured
    engine = make_engine(database_url, application_name="bench-apply", pre_ping=False)
    mirror = ScanMirror()
    taps = Taps(
        uids=[m.badge_uid for m in members],
        boot=f"{random.randrange(1 << 32):x}",
        base_s=time.time() - 5 * 86400,
    )
    results: Counter[str] = Counter()

    async def apply(batch: list[Inbound]) -> None:
        outcome = await apply_batch(
            engine, batch, now=datetime.now(UTC), policy=policy, driver=driver, mirror=mirror
        )
        results.update(outcome.results)

    try:
        # Each reader's first scan registers it (the locked path); then the mirror is filled,
        # readers included, as a worker's is at start: what is measured is the hot path.
        await apply(taps.batch(READERS))
        now = datetime.now(UTC)
        on = operational_date(now, tz=policy.timezone, rollover=policy.day_rollover)
        connection = await driver.connection()
        backend = _local_backend(connection.get_server_pid())
        tx = OptimisticTx(connection, mirror)
        await scan_io.warm_up(tx, now=now, on=on)
        await mirror_stage.fill(tx, now=now, on=on)
        figures: dict[str, Any] = {"members": args.members, "rounds": args.rounds}
        steps = [("round_trip", 1), ("batch_1", 1), (f"batch_{args.big}", args.big)]
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("measuring", total=len(steps))
            for name, size in steps:
                rounds = args.rounds if size == 1 else max(1, args.rounds // args.big)
                batches = [taps.batch(size) for _ in range(rounds)]  # made outside the clock
                optimistic, hits = _hot_path()
                server = cpu_seconds(backend)
                cpu, wall = time.process_time(), time.perf_counter()
                for batch in batches:
                    if name == "round_trip":
                        await connection.fetchval("SELECT 1")
                    else:
                        await apply(batch)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                server = cpu_seconds(backend) - server
                after = _hot_path()
                figures[name] = {
                    "size": size,
                    "rounds": rounds,
                    "cpu_us": round(cpu / rounds * 1e6, 1),
                    "wall_us": round(wall / rounds * 1e6, 1),
                    "server_cpu_us": round(server / rounds * 1e6, 1) if backend else None,
                    "optimistic": int(after[0] - optimistic),
                    "mirror_hits": int(after[1] - hits),
                }
                progress.advance(task)
    finally:
        await driver.close()
        await engine.dispose()
    one, big = figures["batch_1"], figures[f"batch_{args.big}"]
    per_scan = (big["cpu_us"] - one["cpu_us"]) / (args.big - 1)
    figures["per_scan_cpu_us"] = round(per_scan, 1)
    figures["per_batch_cpu_us"] = round(one["cpu_us"] - per_scan, 1)
    if one["server_cpu_us"] is not None:
        server_per_scan = (big["server_cpu_us"] - one["server_cpu_us"]) / (args.big - 1)
        figures["server_per_scan_cpu_us"] = round(server_per_scan, 1)
        figures["server_per_batch_cpu_us"] = round(one["server_cpu_us"] - server_per_scan, 1)
    figures["results"] = dict(results)
    return figures


def _local_backend(pid: int) -> list[int]:
    """The server process of a connection, when it runs on this machine; else none.

    Its CPU clock is then readable in /proc; a server elsewhere is not measured.
    """
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [pid] if command.startswith(b"postgres") else []


def _report(figures: dict[str, Any], big: int) -> None:
    table = Table(title=f"Apply stage, in-process: {figures['members']} members")
    columns = (
        "step",
        "batches",
        "CPU us / batch",
        "server CPU us / batch",
        "wall us / batch",
        "optimistic / mirror",
    )
    for column in columns:
        table.add_column(column)
    labels = {
        "round_trip": "SELECT 1 round trip (floor)",
        "batch_1": "one-scan batches",
        f"batch_{big}": f"{big}-scan batches",
    }
    for key, label in labels.items():
        row = figures[key]
        optimistic = "—" if key == "round_trip" else f"{row['optimistic']} / {row['mirror_hits']}"
        server = "—" if row["server_cpu_us"] is None else str(row["server_cpu_us"])
        table.add_row(
            label, str(row["rounds"]), str(row["cpu_us"]), server, str(row["wall_us"]), optimistic
        )
    Console().print(table)
    Console().print(
        f"fixed cost of a batch: {figures['per_batch_cpu_us']} us of CPU; each scan in it: "
        f"{figures['per_scan_cpu_us']} us (results {json.dumps(figures['results'])})"
    )
    if "server_per_batch_cpu_us" in figures:
        Console().print(
            f"and in PostgreSQL's backend: {figures['server_per_batch_cpu_us']} us per batch, "
            f"{figures['server_per_scan_cpu_us']} us per scan"
        )


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench.apply_cost", description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1000, help="one-scan batches measured")
    parser.add_argument("--big", type=int, default=50, help="scans per batch in the big batches")
    parser.add_argument(
        "--loop", choices=event_loop.EVENT_LOOPS, default="uvloop", help="the event loop measured"
    )
    args = parser.parse_args(argv)
    if args.big < 2 or args.rounds < 1:
        parser.error("--big must be at least 2 and --rounds at least 1")
    with ExitStack() as stack:
        state = Path(tempfile.mkdtemp(prefix="sentinel-bench-apply-"))
        stack.callback(shutil.rmtree, state, ignore_errors=True)  # after the server stopped
        database_url = start_database(state, stack)
        figures = event_loop.run(_measure(args, database_url), args.loop)
    path = write_results("apply-cost", figures)
    _report(figures, args.big)
    console.print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
