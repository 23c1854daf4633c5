"""Runs the MicroPython unit modules (driver byte-exact, outbox, config, MQTT codec) on the unix port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.firmware.conftest import FIRMWARE, MICROPYTHON

UNIT = FIRMWARE / "tests" / "unit"
MODULES = sorted(p.stem for p in UNIT.glob("test_*.py"))


@pytest.mark.parametrize("module", MODULES)
def test_micropython_unit_module(module: str, mpy_build: Path) -> None:
    b = mpy_build
    path = f"{UNIT}:{b}/sim:{b}/lib:.frozen"
    proc = subprocess.run(
        [str(MICROPYTHON), str(UNIT / "runner.py"), module],
        env={"MICROPYPATH": path, "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "DONE failed=0" in out, out
    assert "PASS" in out
