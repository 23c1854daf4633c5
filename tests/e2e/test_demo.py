"""The README's demo: firmware readers (MicroPython unix port) and simulated ones check people in."""

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from tools.localservices.ports import free_port
from tools.stack import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.firmware]

# `HH:MM:SS  IN   <name> at <device> present x/y` (tools/demo.py)
CHECKIN = re.compile(r"^\d\d:\d\d:\d\d\s+(IN|OUT)\s+.+ at (\S+)\s+present \d+/\d+$")


def processes_under(root: Path) -> list[int]:
    """Pids of live processes whose working directory is below `root` (the firmware's flash)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if cwd == root or root in cwd.parents:
            pids.append(int(proc.name))
    return pids


async def test_demo_checks_in_on_firmware_and_simulated_readers(
    tmp_path: Path, database_url: str
) -> None:
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if k != "SENTINEL_MQTT_URL"}  # its own broker
    env.update(SENTINEL_DATABASE_URL=database_url, SENTINEL_API_PORT=str(free_port()))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tools.demo",
        "--duration",
        "10",
        "--state-dir",
        str(state),
        "--interval",
        "0.5",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(100):
            while raw := await proc.stdout.readline():
                lines.append(raw.decode(errors="replace").rstrip("\n"))
            code = await proc.wait()
    except TimeoutError:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does, then report
        try:
            async with asyncio.timeout(20):
                await proc.wait()
        except TimeoutError:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
        pytest.fail("the demo did not end after --duration 10:\n" + "\n".join(lines))
    output = "\n".join(lines)
    devices = {m.group(2) for line in lines if (m := CHECKIN.match(line))}
    assert code == 0, output
    assert any(d.startswith("demo-esp32-") for d in devices), output
    assert any(d.startswith("demo-reader-") for d in devices), output
    assert "2 firmware readers" in output
    # The firmware ran in its own flash directory and was stopped with the demo.
    assert (state / "firmware" / "demo-esp32-1" / "config.json").exists()
    if Path("/proc").exists():
        assert processes_under(state / "firmware") == []
