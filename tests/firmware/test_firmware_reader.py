"""tools.firmware_reader: the firmware as an asyncio reader (demo) and as a command-line tool."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from shared.contracts.command import Command
from shared.contracts.feedback import Feedback
from shared.contracts.scan import ScanEvent
from tests.firmware.conftest import Probe
from tools import firmware_reader
from tools.firmware_reader import FeedbackPattern, FirmwareReader
from tools.localservices.mosquitto import Mosquitto

FAST = {"poll_ms": 20, "cooldown_ms": 300, "backoff_min_ms": 50, "backoff_max_ms": 300}


def alive_under(root: Path) -> bool:
    """True while a process runs with its working directory below `root`."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if Path((proc / "cwd").readlink()).is_relative_to(root):
                return True
        except OSError:
            continue
    return False


async def until(reader: FirmwareReader, pattern: str) -> FeedbackPattern:
    async with asyncio.timeout(5):
        while (played := await reader.next_feedback()).pattern != pattern:
            pass
    return played


async def test_tap_returns_the_event_id_and_feedback_plays(
    tmp_path: Path, mpy_build: Path, broker: Mosquitto, probe: Probe
) -> None:
    seen: list[FeedbackPattern] = []
    reader = FirmwareReader(
        "rdr-lib",
        broker.url,
        build=mpy_build,
        state_dir=tmp_path / "rdr-lib",
        log=tmp_path / "rdr-lib.log",
        config=FAST,
        on_feedback=seen.append,
    )
    stop, ready = asyncio.Event(), asyncio.Event()
    running = asyncio.create_task(reader.run(stop, ready))
    try:
        async with asyncio.timeout(10):
            await ready.wait()
        assert reader.online and reader.boot_id
        event_id = await reader.tap("04a1b2c3d4e5f6")
        assert event_id == f"rdr-lib:{reader.boot_id}:1"
        _, payload, _ = await asyncio.to_thread(probe.next, "/scan")
        assert ScanEvent.model_validate_json(payload).event_id == event_id
        answer = Feedback(event_id=event_id, result="checked_in", display=None, reason=None)
        await asyncio.to_thread(
            probe.publish, "sentinel/v1/readers/rdr-lib/feedback", answer.to_bytes()
        )
        played = await until(reader, "checked_in")
        assert played == FeedbackPattern("rdr-lib", "checked_in", event_id)
        assert [p.pattern for p in seen][:2] == ["read", "checked_in"]
        assert "green" in played.describe()
        with pytest.raises(ValueError):
            await reader.tap("not-a-uid")
    finally:
        stop.set()
        async with asyncio.timeout(10):
            await running
    assert reader.boots == 1 and not reader.online
    assert "mqtt_connected" in (tmp_path / "rdr-lib.log").read_text()
    assert not alive_under(tmp_path / "rdr-lib")
    assert await reader.tap("01020304") == ""  # not running: nothing to tap


async def test_a_reset_reboots_the_firmware_with_its_flash(
    tmp_path: Path, mpy_build: Path, broker: Mosquitto, probe: Probe
) -> None:
    reader = FirmwareReader(
        "rdr-boot", broker.url, build=mpy_build, state_dir=tmp_path / "rdr-boot", config=FAST
    )
    stop, ready = asyncio.Event(), asyncio.Event()
    running = asyncio.create_task(reader.run(stop, ready))
    try:
        async with asyncio.timeout(10):
            await ready.wait()
        first_boot = reader.boot_id
        assert await reader.tap("01020304") == f"rdr-boot:{first_boot}:1"
        ready.clear()  # set again by the next `mqtt_connected` line
        reboot = Command(cmd_id="c-1", cmd="reboot").to_bytes()
        await asyncio.to_thread(probe.publish, "sentinel/v1/readers/rdr-boot/cmd", reboot)
        async with asyncio.timeout(15):
            await ready.wait()
        assert reader.boots == 2 and reader.boot_id != first_boot
        # The outbox lives in the flash directory: the sequence goes on after the reboot.
        assert await reader.tap("01020305") == f"rdr-boot:{reader.boot_id}:2"
    finally:
        stop.set()
        async with asyncio.timeout(10):
            await running


def test_command_line_taps_and_prints_the_answer(
    tmp_path: Path,
    broker: Mosquitto,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["firmware_reader", "--mqtt-url", broker.url, "--state-dir", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [*argv, "--device-id", "rdr-cli", "--tap", "0a0b0c0d"])
    assert firmware_reader.main() == 0
    out = capsys.readouterr().out
    assert "rdr-cli online" in out
    # Nobody answers on this broker: the scan is stored and the reader shows "offline".
    assert "tap 0A0B0C0D" in out and "rdr-cli:" in out and out.rstrip().endswith("offline")
    assert (tmp_path / "rdr-cli" / "config.json").exists()
