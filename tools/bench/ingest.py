"""`python -m tools.bench.ingest`: scans/s and tap→feedback latency next to the raw ceilings.

Starts PostgreSQL + Mosquitto + `python -m ingest` (or uses `SENTINEL_DATABASE_URL` /
`SENTINEL_MQTT_URL`), seeds a unit, and drives simulated readers with the full rules on: paced
loads (10, 100, 1,000 scans/s) for latency, then a saturation burst for sustained throughput.
In the same run it measures the ceilings: Mosquitto QoS1 publish→receive alone, and COPY of the
same rows alone. Prints a table, writes JSON and a PNG chart under `bench-results/`.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ingest.publisher import LeanPublisher
from shared import event_loop
from shared.contracts import topics
from shared.contracts.topics import ReaderTopic
from shared.db.engine import driver_dsn
from shared.settings import BrokerAddress
from shared.store.outbox import Outgoing
from tools.bench.common import (
    CpuMeter,
    children_of,
    idle_penalty,
    percentile,
    seed_unit,
    tap,
    write_results,
)
from tools.bench.mqttlite import LiteSubscriber
from tools.firmware_reader import MICROPYTHON, FirmwareReader, build_firmware
from tools.stack import Processes, service_env, start_services

console = Console(stderr=True)


class Tap(NamedTuple):
    """A simulated tap, built before its load starts."""

    event_id: str
    uid: str
    message: Outgoing


@dataclass
class Load:
    """Taps in flight: publish times by event id and the answers seen."""

    uids: list[str]
    readers: int
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    results: dict[str, int] = field(default_factory=dict)
    member_sent: dict[str, float] = field(default_factory=dict)
    # Paced loads: each tap's wall-clock send and answer times, to split its latency at the
    # ingest's receive time (stored with the decision, `_split`).
    wall_sent: dict[str, float] = field(default_factory=dict)
    wall_answered: dict[str, float] = field(default_factory=dict)
    presence_lags: list[float] = field(default_factory=list)
    taps: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    presence_done: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int = 0
    seen: int = 0
    base_s: float = field(default_factory=lambda: time.time() - 6 * 86400)

    def message(self, n: int) -> tuple[str, Outgoing]:
        """The n-th tap: round-robin members, device time 6 s apart per member (no duplicates)."""
        device, event_id, payload = tap(
            n, uids=self.uids, readers=self.readers, boot="be7c4", base_s=self.base_s
        )
        return event_id, Outgoing(topics.reader(device, ReaderTopic.SCAN), payload)

    def next_taps(self, count: int) -> list[Tap]:
        """The next `count` taps, built before a load starts.

        Simulated readers share the two CPUs with what they measure; encoding each scan as it
        is sent cost this process about a third of its CPU in a burst, which real readers do
        not take from the server.
        """
        taps = []
        for n in range(self.taps, self.taps + count):
            event_id, message = self.message(n)
            taps.append(Tap(event_id, self.uids[n % len(self.uids)], message))
        self.taps += count
        return taps

    def on_message(self, topic: str, payload: bytes) -> None:
        """Record feedback latency (and presence lag) as messages arrive."""
        now = time.perf_counter()
        if topic.endswith("/feedback"):
            answer = json.loads(payload)
            event_id = answer.get("event_id")
            sent = self.sent_at.pop(event_id, None)
            if sent is not None:
                self.latencies.append(now - sent)
                if event_id in self.wall_sent:
                    self.wall_answered[event_id] = time.time()
                result = answer["result"]
                self.results[result] = self.results.get(result, 0) + 1
                self.seen += 1
                if self.seen >= self.expected:
                    self.done.set()
        elif "/presence/members/" in topic:
            sent = self.member_sent.pop(topic.rsplit("/", 1)[1], None)
            if sent is not None:
                self.presence_lags.append(now - sent)
                if not self.member_sent:
                    self.presence_done.set()


async def _paced(
    publisher: LeanPublisher,
    load: Load,
    rate: int,
    taps: list[Tap],
    member_ids: dict[str, str],
) -> dict[str, Any]:
    """Send `taps` at `rate` a second (built before, `Load.next_taps`) and gather the answers."""
    count = len(taps)
    load.latencies, load.presence_lags, load.results = [], [], {}
    load.seen, load.expected = 0, count
    load.done.clear()
    load.member_sent.clear()
    load.wall_sent.clear()
    load.wall_answered.clear()
    start = time.perf_counter()
    acked: list[asyncio.Future[None]] = []
    for i, (event_id, uid, message) in enumerate(taps):
        target = start + i / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the offered load
        load.sent_at[event_id] = load.member_sent[member_ids[uid]] = time.perf_counter()
        load.wall_sent[event_id] = time.time()
        # As a reader does: the next tap does not wait for this one's PUBACK (each is checked
        # below). Waking up for every PUBACK cost this process, which shares the CPUs with
        # what it measures, about a fifth of its time at 1,000/s.
        acked.append(await publisher.send([message]))
    await asyncio.wait_for(load.done.wait(), timeout=60)
    for ack in acked:
        await publisher.confirmed(ack)
    # Presence is published after the feedback of its batch: stopping at the last feedback
    # would drop the slowest presence updates (and leave none at all for a one-batch load).
    # A tap that changes no presence (a duplicate, a refusal) sends none: the wait is bounded.
    # Cleared only now: all taps are out, so `member_sent` just shrinks (it may have run empty
    # between two taps of the load).
    load.presence_done.clear()
    if load.member_sent:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(load.presence_done.wait(), timeout=5)
    ms = [x * 1000 for x in load.latencies]
    lags = [x * 1000 for x in load.presence_lags]
    return {
        "offered_per_s": rate,
        "taps": count,
        "results": dict(load.results),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
        "presence_lag_p50_ms": round(percentile(lags, 50), 2),
        "presence_lag_p99_ms": round(percentile(lags, 99), 2),
        "presence_missing": len(load.member_sent),
    }


async def _split(database_url: str, load: Load) -> dict[str, Any]:
    """Each answered tap's latency split at the ingest's receive time (`processed_events`).

    Before it: the reader's publish through Mosquitto to the ingest. After it: the decision,
    the write, and the answer's way back through Mosquitto. The clocks are this machine's.
    """
    connection = await asyncpg.connect(driver_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT event_id, extract(epoch FROM received_at) AS received"
            " FROM processed_events WHERE event_id = ANY($1::text[])",
            list(load.wall_answered),
        )
    finally:
        await connection.close()
    if not rows:
        return {}
    before, after = [], []
    for row in rows:
        received = float(row["received"])
        before.append((received - load.wall_sent[row["event_id"]]) * 1000)
        after.append((load.wall_answered[row["event_id"]] - received) * 1000)
    return {
        "taps": len(rows),
        "to_ingest_p50_ms": round(percentile(before, 50), 2),
        "to_ingest_p99_ms": round(percentile(before, 99), 2),
        "ingest_to_answer_p50_ms": round(percentile(after, 50), 2),
        "ingest_to_answer_p99_ms": round(percentile(after, 99), 2),
    }


async def _burst(publisher: LeanPublisher, load: Load, taps: list[Tap]) -> dict[str, Any]:
    """Send `taps` as fast as the ingest takes them (two windows ahead at most)."""
    count = len(taps)
    load.latencies, load.results, load.seen, load.expected = [], {}, 0, count
    load.done.clear()
    start = time.perf_counter()
    window = 2000
    with Progress(console=console, transient=True) as progress:
        bar = progress.add_task("saturation burst", total=count)
        for offset in range(0, count, window):
            batch = taps[offset : offset + window]
            sent = time.perf_counter()
            for t in batch:
                load.sent_at[t.event_id] = sent
            await publisher.publish([t.message for t in batch])
            # Keep at most two windows outstanding so the broker queue stays bounded.
            while load.seen < offset - window:  # noqa: ASYNC110 - load-generator back-pressure
                await asyncio.sleep(0.005)
            progress.update(bar, completed=load.seen)
        await asyncio.wait_for(load.done.wait(), timeout=300)
    elapsed = time.perf_counter() - start
    return {
        "taps": count,
        "seconds": round(elapsed, 2),
        "scans_per_s": round(count / elapsed),
        "results": dict(load.results),
    }


CEILING_PACED = 1000  # messages of the paced ceiling run (at most the burst's size)


async def _mqtt_ceiling(address: BrokerAddress, count: int) -> dict[str, Any]:
    """Mosquitto alone: QoS1 publish → QoS0 subscriber, paced latency and max rate."""
    got: list[float] = []
    sent: dict[bytes, float] = {}
    done = asyncio.Event()

    def on_message(topic: str, payload: bytes) -> None:
        start = sent.pop(payload, None)
        if start is not None:
            got.append(time.perf_counter() - start)
            if not sent:
                done.set()

    sub = LiteSubscriber(on_message)
    await sub.start(
        address.host, address.port, f"ceil-sub-{uuid.uuid4().hex[:6]}", ["bench/ceiling"]
    )
    pub = await LeanPublisher.connect(address, f"ceil-pub-{uuid.uuid4().hex[:6]}")
    try:
        for i in range(min(CEILING_PACED, count)):  # paced at 1,000/s
            payload = b"%d" % i
            sent[payload] = time.perf_counter()
            await pub.publish([Outgoing("bench/ceiling", payload)])
            await asyncio.sleep(0.001)  # pacing
        await asyncio.wait_for(done.wait(), 30)
        paced = [x * 1000 for x in got]
        got.clear()
        done.clear()
        start = time.perf_counter()
        for offset in range(0, count, 2000):
            batch = []
            for i in range(offset, min(count, offset + 2000)):
                payload = b"burst-%d" % i
                sent[payload] = time.perf_counter()
                batch.append(Outgoing("bench/ceiling", payload))
            await pub.publish(batch)
        await asyncio.wait_for(done.wait(), 60)
        rate = count / (time.perf_counter() - start)
    finally:
        await pub.close()
        await sub.close()
    return {
        "p50_ms": round(percentile(paced, 50), 3),
        "p99_ms": round(percentile(paced, 99), 3),
        "qos1_msgs_per_s": round(rate),
    }


async def _copy_ceiling(database_url: str, count: int) -> dict[str, Any]:
    """PostgreSQL alone: COPY the same check-in rows into a scratch table."""
    conn = await asyncpg.connect(driver_dsn(database_url))
    try:
        await conn.execute("CREATE TEMP TABLE ceiling (LIKE checkins INCLUDING ALL)")
        now = datetime.now(UTC)
        rows = [
            (
                uuid.uuid4(),
                now,
                None,
                None,
                None,
                "in",
                "bench-rdr-0",
                "badge",
                "bench-rdr-0",
                f"c:{i}",
                False,
                False,
                now,
            )
            for i in range(count)
        ]
        start = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table("ceiling", records=rows)
        rate = count / (time.perf_counter() - start)
    finally:
        await conn.close()
    return {"copy_rows_per_s": round(rate)}


def _postgres_pids(postmaster: int | None) -> list[int]:
    """The server's processes now, the ingest's connections among them however late opened.

    Read again before each measured interval.
    """
    return [postmaster, *children_of(postmaster)] if postmaster else []


def _postmaster_pid(state_dir: Path) -> int | None:
    pidfile = state_dir / "postgres" / "pgdata" / "postmaster.pid"
    return int(pidfile.read_text().split()[0]) if pidfile.exists() else None


async def _wait_for_log(path: Path, event: str, limit_s: float = 60) -> None:
    """Wait until the service's log shows `event` (the process reports readiness there)."""
    async with asyncio.timeout(limit_s):
        while not _logged(path, event):  # noqa: ASYNC110 - a file is the only signal
            await asyncio.sleep(0.1)


def _logged(path: Path, event: str) -> bool:
    return path.exists() and f'"event": "{event}"' in path.read_text()


async def _run(
    args: argparse.Namespace,
    state: Path,
    endpoints: Any,
    processes: Processes,
    broker_pid: int | None,
) -> dict[str, Any]:
    members = await seed_unit(endpoints.database_url, args.members, building=args.building)
    member_ids = {m.badge_uid: m.member_id for m in members}
    run_id = uuid.uuid4().hex[:6]
    env = service_env(
        endpoints,
        SENTINEL_LOG_LEVEL="INFO",
        SENTINEL_DEVICE_OFFLINE_ALERT_S="0",
        # The daily jobs would start a new (secured) lockup cycle on a fresh database.
        SENTINEL_SCHEDULER_ENABLED="false",
    )
    if args.workers > 1:  # several workers split the readers' topics (deploy/README.md §8.1)
        env["SENTINEL_INGEST_SHARE_GROUP"] = f"bench{run_id}"
    workers = []
    for n in range(1, args.workers + 1):
        log = state / f"ingest-{n}.log"
        worker_env = {**env, "SENTINEL_INGEST_CLIENT_ID": f"bench-{run_id}-{n}"}
        workers.append(processes.spawn("ingest", worker_env, log))
        await _wait_for_log(log, "ingest_connected")
    address = BrokerAddress(endpoints.mqtt_url)
    load = Load(uids=[m.badge_uid for m in members], readers=args.readers)
    sub = LiteSubscriber(load.on_message)
    await sub.start(
        address.host,
        address.port,
        "bench-sub",
        ["sentinel/v1/readers/+/feedback", "sentinel/v1/presence/members/+"],
    )
    publisher = await LeanPublisher.connect(address, "bench-readers")
    postmaster = _postmaster_pid(state)
    meter = CpuMeter(
        {
            "ingest": [w.pid for w in workers],
            "mosquitto": [broker_pid] if broker_pid else [],
            "postgres": _postgres_pids(postmaster),
            # This process: the simulated readers share the machine with what they measure.
            "load": [os.getpid()],
        }
    )
    results: dict[str, Any] = {
        "members": args.members,
        "readers": args.readers,
        "workers": args.workers,
        "building": args.building,
        "paced": [],
    }
    try:
        if int(50 * args.warmup_s) >= 1:
            warmup = load.next_taps(int(50 * args.warmup_s))
            await _paced(publisher, load, 50, warmup, member_ids)  # not reported
        for rate, seconds in args.loads:
            console.print(f"paced load {rate}/s for {seconds}s ...")
            taps = load.next_taps(int(rate * seconds))
            meter.groups["postgres"] = _postgres_pids(postmaster)
            meter.start()
            figures = await _paced(publisher, load, rate, taps, member_ids)
            figures["cpu_percent"] = meter.stop()
            figures["split"] = await _split(endpoints.database_url, load)
            results["paced"].append(figures)
        if args.firmware_readers:
            console.print(f"{args.firmware_readers} firmware readers (MicroPython unix port) ...")
            results["firmware"] = await _firmware_taps(
                address, state, load.uids[-args.firmware_readers * args.firmware_taps :], args
            )
        console.print(f"saturation burst of {args.burst} taps ...")
        taps = load.next_taps(args.burst)
        meter.groups["postgres"] = _postgres_pids(postmaster)
        meter.start()
        results["sustained"] = await _burst(publisher, load, taps)
        results["sustained"]["cpu_percent"] = meter.stop()
    finally:
        await publisher.close()
        await sub.close()
    processes.stop()
    console.print("ceilings: mosquitto alone, COPY alone ...")
    results["ceiling_mqtt"] = await _mqtt_ceiling(address, args.burst)
    results["ceiling_copy"] = await _copy_ceiling(endpoints.database_url, args.burst)
    sustained = results["sustained"]["scans_per_s"]
    results["ratio_to_mqtt"] = round(sustained / results["ceiling_mqtt"]["qos1_msgs_per_s"], 3)
    results["ratio_to_copy"] = round(sustained / results["ceiling_copy"]["copy_rows_per_s"], 3)
    return results


FIRMWARE_TAPS = 15  # per firmware reader by default, each a different member


async def _firmware_taps(
    address: BrokerAddress, state: Path, uids: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """Real firmware readers tap in turn; time each tap command to the feedback pattern played.

    The span holds the reader's card poll (`poll_ms`, 100 ms: the simulated card is seen at the
    next poll, as a real one would be), its publish, the ingest, the answer and its 20 ms
    feedback poll. The firmware's log lines reach us in bursts, so the moment a scan was queued
    cannot be timed from here; `tools.bench.firmware_bench` times the firmware's own part.
    """
    if not MICROPYTHON.exists():
        console.print(f"no {MICROPYTHON}: firmware readers skipped")
        return {"readers": 0}
    build = state / "firmware-mpy"
    await asyncio.to_thread(build_firmware, build)
    url = f"mqtt://{address.host}:{address.port}"
    readers = [
        FirmwareReader(
            f"bench-esp32-{i}",
            url,
            build=build,
            state_dir=state / "firmware" / str(i),
            log=state / "firmware" / f"{i}.log",
        )
        for i in range(args.firmware_readers)
    ]
    stop = asyncio.Event()
    ready = [asyncio.Event() for _ in readers]
    tasks = [asyncio.create_task(r.run(stop, e)) for r, e in zip(readers, ready, strict=True)]
    latencies: list[float] = []
    missed = 0
    try:
        async with asyncio.timeout(60):
            await asyncio.gather(*(e.wait() for e in ready))
        for n, uid in enumerate(uids):
            reader = readers[n % len(readers)]
            start = time.perf_counter()
            if not await reader.tap(uid):
                missed += 1
                continue
            try:
                async with asyncio.timeout(5):
                    await reader.next_feedback()
            except TimeoutError:
                missed += 1
                continue
            latencies.append(time.perf_counter() - start)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "readers": len(readers),
        "taps": len(uids),
        "missed": missed,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 2) if latencies else None,
    }


def _report(results: dict[str, Any]) -> None:
    table = Table(
        title=f"Ingest: {results['members']} members, {results['readers']} readers, "
        f"{results.get('workers', 1)} worker(s)"
    )
    for column in (
        "offered/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "presence lag p99 ms",
        "CPU % ingest/mosq/pg/load",
        "results",
    ):
        table.add_column(column)
    for row in results["paced"]:
        cpu = row["cpu_percent"]
        table.add_row(
            str(row["offered_per_s"]),
            str(row["p50_ms"]),
            str(row["p95_ms"]),
            str(row["p99_ms"]),
            str(row["presence_lag_p99_ms"]),
            f"{cpu['ingest']}/{cpu['mosquitto']}/{cpu['postgres']}/{cpu['load']}",
            json.dumps(row["results"]),
        )
    Console().print(table)
    for row in results["paced"]:
        split = row.get("split")
        if split:
            Console().print(
                f"{row['offered_per_s']}/s, p50 / p99: tap -> ingest receive "
                f"{split['to_ingest_p50_ms']} / {split['to_ingest_p99_ms']} ms, then -> answer "
                f"{split['ingest_to_answer_p50_ms']} / {split['ingest_to_answer_p99_ms']} ms"
            )
    fw = results.get("firmware", {})
    if fw.get("readers"):
        Console().print(
            f"firmware readers: {fw['readers']} under the unix port, {fw['taps']} taps "
            f"({fw['missed']} missed): tap -> feedback played p50 {fw['p50_ms']} ms / "
            f"p99 {fw['p99_ms']} ms (includes the reader's 100 ms card poll)"
        )
    s, m, c = results["sustained"], results["ceiling_mqtt"], results["ceiling_copy"]
    Console().print(
        f"sustained: {s['scans_per_s']} scans/s ({s['taps']} taps in {s['seconds']} s, "
        f"CPU {s['cpu_percent']})\n"
        f"ceiling, Mosquitto QoS1 alone: {m['qos1_msgs_per_s']} msg/s, paced 1,000/s "
        f"p50 {m['p50_ms']} ms / p99 {m['p99_ms']} ms -> ours = {results['ratio_to_mqtt']} x\n"
        f"ceiling, COPY alone: {c['copy_rows_per_s']} rows/s -> ours = "
        f"{results['ratio_to_copy']} x"
    )
    idle = results.get("idle_penalty")
    if idle:
        Console().print(
            f"this machine: a scan's worth of Python takes {idle['warm_us']} us back to back, "
            f"{idle['after_idle_us']} us after {idle['gap_ms']:g} ms idle ({idle['ratio']} x): "
            "every tap at a low rate pays the second figure"
        )


def _chart(results: dict[str, Any], path: Path) -> None:
    # The object API on the Agg canvas, as api/reports/charts.py: no process-wide backend
    # switch and no pyplot figure left open (the bench runs in-process in the tests).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rates = [r["offered_per_s"] for r in results["paced"]]
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        ax.plot(rates, [r[key] for r in results["paced"]], marker="o", label=key)
    ax.axhline(results["ceiling_mqtt"]["p99_ms"], linestyle="--", label="mosquitto alone p99")
    ax.set_xscale("log")
    ax.set_xlabel("offered scans/s")
    ax.set_ylabel("tap → feedback (ms)")
    ax.set_title(f"sustained {results['sustained']['scans_per_s']} scans/s")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def _loads(text: str) -> list[tuple[int, float]]:
    """Parse `RATE:SECONDS,...` (each load at least one tap)."""
    loads = []
    for item in text.split(","):
        rate, _, seconds = item.partition(":")
        try:
            load = (int(rate), float(seconds))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item!r} is not RATE:SECONDS") from None
        if int(load[0] * load[1]) < 1:
            raise argparse.ArgumentTypeError(f"{item!r} offers no tap")
        loads.append(load)
    return loads


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench.ingest", description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--burst", type=int, default=20000)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="ingest processes; more than one share the subscription (`$share/...`)",
    )
    parser.add_argument(
        "--firmware-readers",
        type=int,
        default=2,
        help="real firmware instances (MicroPython unix port) tapping after the paced loads",
    )
    parser.add_argument(
        "--firmware-taps", type=int, default=FIRMWARE_TAPS, help="taps per firmware reader"
    )
    parser.add_argument(
        "--building",
        choices=("open", "secured"),
        default="open",
        help="open with an accepted DDS (a working day) or secured (every arrival prompts)",
    )
    parser.add_argument(
        "--loads",
        type=_loads,
        default=_loads("10:10,100:10,1000:5"),
        metavar="RATE:SECONDS,...",
        help="the paced loads, offered scans/s and how long (default 10:10,100:10,1000:5)",
    )
    parser.add_argument(
        "--warmup-s", type=float, default=2.0, help="paced warm-up at 50/s, not reported"
    )
    parser.add_argument(
        "--loop",
        choices=event_loop.EVENT_LOOPS,
        default="uvloop",
        help="the load generator's event loop (uvloop: it takes less of the CPUs it shares with "
        "what it measures); the ingest's is SENTINEL_INGEST_EVENT_LOOP",
    )
    parser.add_argument(
        "--keep-state",
        action="store_true",
        help="keep the run's directory (database, broker, logs); a failed run always keeps it",
    )
    args = parser.parse_args(argv)
    state = Path(tempfile.mkdtemp(prefix="sentinel-bench-"))
    processes = Processes()
    # Before anything else runs: what a wake-up after idleness costs on this machine.
    machine = idle_penalty()
    try:
        with ExitStack() as stack:
            console.print("starting PostgreSQL and Mosquitto ...")
            endpoints = start_services(state, stack)
            # Registered after the services, so it runs first: a failed run leaves no ingest
            # behind.
            stack.callback(processes.stop)
            broker_pid = _broker_pid(endpoints.mqtt_url)
            results = event_loop.run(_run(args, state, endpoints, processes, broker_pid), args.loop)
    except BaseException:
        console.print(f"the run failed; its database, broker and logs are in {state}")
        raise
    # The services have stopped: a run's directory holds a whole database cluster.
    if args.keep_state:
        console.print(f"the run's database, broker and logs: {state}")
    else:
        shutil.rmtree(state, ignore_errors=True)
    results["idle_penalty"] = machine
    path = write_results("ingest", results)
    _chart(results, path.with_suffix(".png"))
    _report(results)
    console.print(f"results: {path} and {path.with_suffix('.png')}")
    return 0


def _broker_pid(url: str) -> int | None:
    port = BrokerAddress(url).port
    found = subprocess.run(["pgrep", "-f", "mosquitto"], capture_output=True, text=True)
    for pid in found.stdout.split():
        conf = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        config = conf.split("-c ", 1)[-1].strip()
        if config and Path(config).exists() and f"listener {port}" in Path(config).read_text():
            return int(pid)
    return None


if __name__ == "__main__":
    sys.exit(main())
