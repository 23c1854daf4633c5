"""`python -m tools.demo`: the full stack on local defaults, with reader firmware and simulators tapping.

Starts PostgreSQL and Mosquitto (unless configured), migrates, seeds a small unit, runs the
ingest and the API, starts readers — the real firmware under the MicroPython unix port and
CPython simulated ones — taps random badges on them, and prints presence as it changes.
"""

import argparse
import asyncio
import json
import random
import sys
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import aiomqtt

from shared.aio import wait_event
from shared.contracts import topics
from shared.db.engine import driver_dsn
from shared.settings import BrokerAddress
from tools.firmware_reader import MICROPYTHON, FirmwareReader, build_firmware
from tools.simulator import SimulatedReader, tap_randomly
from tools.stack import ROOT, Processes, service_env, start_api, start_services


def _seed(env: dict[str, str], members: int) -> list[str]:
    import subprocess

    existing = subprocess.run(
        [sys.executable, "-m", "tools.seed", "--members", str(members), "--json", "--seed", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [m["badge_uid"] for m in json.loads(existing.stdout)]


async def _badge_uids(database_url: str) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(driver_dsn(database_url))
    try:
        rows = await conn.fetch(
            "SELECT serial_number FROM badges WHERE assignment_type = 'member' AND status = 'active'"
        )
    finally:
        await conn.close()
    return [r["serial_number"] for r in rows]


async def _watch(mqtt_url: str, stop: asyncio.Event) -> None:
    address = BrokerAddress(mqtt_url)
    async with aiomqtt.Client(
        address.host,
        address.port,
        identifier="sentinel-demo-watch",
        username=address.username,
        password=address.password,
    ) as client:
        await client.subscribe(topics.CHECKIN_EVENTS, qos=1)
        await client.subscribe(topics.PRESENCE_SUMMARY, qos=1)
        present = "?"
        async for message in client.messages:
            body = json.loads(message.payload) if isinstance(message.payload, bytes) else {}
            if message.topic.matches(topics.PRESENCE_SUMMARY):
                present = f"{body.get('total_present')}/{body.get('total_members')}"
                continue
            at = datetime.now().strftime("%H:%M:%S")  # noqa: DTZ005 - local time for people
            arrow = "IN " if body.get("direction") == "in" else "OUT"
            print(
                f"{at}  {arrow}  {body.get('display_name', '?'):<24} at "
                f"{body.get('source', '?'):<14} present {present}",
                flush=True,
            )
            if stop.is_set():
                return


async def _run(args: argparse.Namespace, endpoints_url: tuple[str, str], api_port: int) -> None:
    database_url, mqtt_url = endpoints_url
    uids = await _badge_uids(database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if args.firmware_readers and not MICROPYTHON.exists():
        print(f"no {MICROPYTHON} (dev dependency; `uv sync`): simulated readers only", flush=True)
        args.firmware_readers = 0
    build = args.state_dir / "firmware" / "mpy"
    if args.firmware_readers:
        await asyncio.to_thread(build_firmware, build)
    firmware = [
        FirmwareReader(
            f"demo-esp32-{i + 1}",
            mqtt_url,
            build=build,
            state_dir=args.state_dir / "firmware" / f"demo-esp32-{i + 1}",
            log=args.state_dir / "logs" / f"demo-esp32-{i + 1}.log",
        )
        for i in range(args.firmware_readers)
    ]
    simulated = [SimulatedReader(f"demo-reader-{i + 1}", mqtt_url) for i in range(args.readers)]
    readers: list[FirmwareReader | SimulatedReader] = [*firmware, *simulated]
    print(
        f"API docs:  http://127.0.0.1:{api_port}/docs   presence: "
        f"http://127.0.0.1:{api_port}/api/presence",
        flush=True,
    )
    print(f"MQTT:      {mqtt_url}  (mosquitto_sub -t 'sentinel/v1/#' -v)", flush=True)
    print(
        f"{len(firmware)} firmware readers (MicroPython unix port, demo-esp32-*) and "
        f"{len(simulated)} simulated (demo-reader-*) tapping {len(uids)} badges; Ctrl-C stops.",
        flush=True,
    )
    async with asyncio.TaskGroup() as group:
        ready = [asyncio.Event() for _ in readers]
        for reader, event in zip(readers, ready, strict=True):
            group.create_task(reader.run(stop, event))
        for event in ready:
            await asyncio.wait_for(event.wait(), timeout=30)
        watcher = group.create_task(_watch(mqtt_url, stop))
        group.create_task(
            tap_randomly(
                readers, uids, stop=stop, mean_interval_s=args.interval, rng=random.Random(7)
            )
        )
        if args.duration and not await wait_event(stop, args.duration):
            stop.set()
        await stop.wait()
        watcher.cancel()


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m tools.demo", description=__doc__)
    parser.add_argument("--members", type=int, default=50, help="members to seed on first run")
    parser.add_argument("--readers", type=int, default=1, help="simulated readers (CPython)")
    parser.add_argument(
        "--firmware-readers",
        type=int,
        default=2,
        help="readers running the real firmware under the MicroPython unix port",
    )
    parser.add_argument("--interval", type=float, default=1.5, help="mean seconds between taps")
    parser.add_argument("--duration", type=float, default=0, help="stop after N s (0: never)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=ROOT / ".sentinel",
        help="where local PostgreSQL/Mosquitto keep their data",
    )
    args = parser.parse_args()
    logs = args.state_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = Processes()
    with ExitStack() as stack:
        print("starting PostgreSQL and Mosquitto, migrating ...", flush=True)
        endpoints = start_services(args.state_dir, stack)
        env = service_env(endpoints)
        if not asyncio.run(_badge_uids(endpoints.database_url)):
            print(f"seeding a unit of {args.members} members ...", flush=True)
            _seed(env, args.members)
        stack.callback(processes.stop)
        processes.spawn("ingest", env, logs / "ingest.log")
        api_port = start_api(
            processes, env, logs / "api.log", port=int(env.get("SENTINEL_API_PORT", "8000"))
        )
        print(f"logs in {logs}", flush=True)
        asyncio.run(_run(args, (endpoints.database_url, endpoints.mqtt_url), api_port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
