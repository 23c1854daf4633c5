"""Parses the flash CLI, checks port and image, shows progress and runs the plan (or prints it)."""

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

from tools.flash.device_config import (
    ConfigError,
    build_config,
    load_base,
    redacted,
    write_config,
)
from tools.flash.plan import FLASH_OFFSETS, FlashOptions, Step, build_plan

PROVISIONING_NOTE = (
    "Broker credential registration is not available yet: it arrives with the broker issue. "
    "Put mqtt_user/mqtt_password into the config (or --mqtt-user/--mqtt-password) for now."
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse command-line arguments."""
    p = argparse.ArgumentParser(prog="python -m tools.flash", description=__doc__)
    p.add_argument("--port", help="serial port of the board, e.g. /dev/ttyUSB0")
    p.add_argument("--image", type=Path, help="MicroPython firmware .bin (local file)")
    p.add_argument("--app-only", action="store_true", help="skip erase and image write")
    p.add_argument("--no-erase", action="store_true", help="write the image without erasing")
    p.add_argument("--chip", default="esp32", choices=sorted(FLASH_OFFSETS))
    p.add_argument("--baud", type=int, default=460800)
    p.add_argument("--config", type=Path, help="base config.json to start from")
    p.add_argument("--device-id")
    p.add_argument("--wifi-ssid")
    p.add_argument("--wifi-password", default=os.environ.get("SENTINEL_WIFI_PASSWORD"))
    p.add_argument("--mqtt-host")
    p.add_argument("--mqtt-port", type=int)
    p.add_argument("--mqtt-user")
    p.add_argument("--mqtt-password", default=os.environ.get("SENTINEL_MQTT_PASSWORD"))
    p.add_argument("--mqtt-tls", action="store_true", default=None)
    p.add_argument("--build-dir", type=Path, default=Path("firmware/build"))
    p.add_argument("--register", action="store_true", help="register broker credentials")
    p.add_argument("--dry-run", action="store_true", help="print every command, run nothing")
    return p.parse_args(argv)


def check_inputs(args: argparse.Namespace) -> str | None:
    """Return why the port or image is unusable, or None."""
    if not args.port:
        return "no serial port given: pass --port /dev/ttyUSB0 (see `ls /dev/ttyUSB* /dev/ttyACM*`)"
    if not args.dry_run and not Path(args.port).exists():
        return f"serial port {args.port} does not exist: is the board plugged in?"
    if not args.app_only:
        if args.image is None:
            return "no firmware image given: pass --image path/to/ESP32_GENERIC-<ver>.bin"
        if not args.image.is_file():
            return f"firmware image {args.image} does not exist"
    return None


def run_steps(steps: list[Step], dry_run: bool) -> int:
    """Print `[i/n] title` and the command for each step and run it unless `dry_run`."""
    for i, step in enumerate(steps, 1):
        print(f"[{i}/{len(steps)}] {step.title}")
        print("    $ " + shlex.join(step.argv))
        if dry_run:
            continue
        if step.local:
            Path(step.argv[-1]).parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(step.argv, check=False)
        if result.returncode != 0:
            print(f"error: step {i} ({step.title}) failed with exit code {result.returncode}")
            return result.returncode
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = parse_args(argv)
    problem = check_inputs(args)
    if problem:
        print("error: " + problem, file=sys.stderr)
        return 2
    overrides = {
        "device_id": args.device_id,
        "wifi_ssid": args.wifi_ssid,
        "wifi_password": args.wifi_password,
        "mqtt_host": args.mqtt_host,
        "mqtt_port": args.mqtt_port,
        "mqtt_user": args.mqtt_user,
        "mqtt_password": args.mqtt_password,
        "mqtt_tls": args.mqtt_tls,
    }
    try:
        cfg = build_config(load_base(args.config), overrides)
    except ConfigError as e:
        print(f"error: bad config: {e}", file=sys.stderr)
        return 2
    config_file = args.build_dir / "config.json"
    print("config.json: " + str(redacted(cfg)))
    if not args.dry_run:
        write_config(cfg, config_file)
    opts = FlashOptions(
        port=args.port,
        image=None if args.app_only else args.image,
        config_file=config_file,
        build_dir=args.build_dir,
        chip=args.chip,
        baud=args.baud,
        erase=not args.no_erase,
        tools_bin=Path(sys.executable).parent,
    )
    code = run_steps(build_plan(opts), args.dry_run)
    if args.register:
        print(PROVISIONING_NOTE)
    if code == 0 and not args.dry_run:
        print("done: the reader reboots, joins WiFi and publishes its status")
    return code
