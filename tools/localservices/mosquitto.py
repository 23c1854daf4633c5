"""A Mosquitto broker on a free loopback port, configured as Sentinel needs it (backend-notes §3)."""

import getpass
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tools.localservices.ports import free_port, wait_for_port

# `max_queued_messages` default (1000) silently drops QoS1 messages queued for an offline
# persistent session (backend-notes §4.4); `set_tcp_nodelay` avoids ~250 ms Nagle stalls (§4.3).
BASE_CONFIG = """\
per_listener_settings false
allow_anonymous true
set_tcp_nodelay true
max_queued_messages 1000000
max_inflight_messages 1000
max_packet_size 65536
persistence {persistence}
persistence_location {data_dir}/
autosave_interval 1
log_dest file {data_dir}/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
listener {port} 127.0.0.1
"""


def find_mosquitto() -> str:
    """Return the mosquitto binary's path or raise with the install hint."""
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    raise FileNotFoundError("mosquitto not found: install it with `apt-get install -y mosquitto`")


@dataclass
class Mosquitto:
    """A broker process; `start()` it, `stop()` or `restart()` it, `url` to reach it."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    persistence: bool = True
    extra_config: str = ""
    process: subprocess.Popen[bytes] | None = None
    # A complete configuration used verbatim instead of BASE_CONFIG (it must listen on `port`).
    config_text: str | None = None

    @property
    def url(self) -> str:
        """The broker URL in SENTINEL_MQTT_URL form."""
        return f"mqtt://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        """Where the generated configuration lives."""
        return self.data_dir / "mosquitto.conf"

    def write_config(self) -> None:
        """Write the broker configuration."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.config_text is not None:
            self.config_path.write_text(self.config_text)
            return
        # As root, mosquitto drops to the `mosquitto` user, which cannot write our temp dir.
        owner = f"user {getpass.getuser()}\n"
        text = owner + BASE_CONFIG.format(
            port=self.port,
            data_dir=self.data_dir,
            persistence="true" if self.persistence else "false",
        )
        self.config_path.write_text(text + self.extra_config)

    def start(self) -> None:
        """Start the broker and wait until it accepts connections."""
        self.write_config()
        self.process = subprocess.Popen(
            [find_mosquitto(), "-c", str(self.config_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(self.port, timeout_s=10)
        except TimeoutError:
            self.stop()
            log = self.data_dir / "mosquitto.log"
            detail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"mosquitto did not start on port {self.port}: {detail}") from None

    def stop(self, *, kill: bool = False) -> None:
        """Stop the broker (SIGTERM lets it save persistence; `kill` does not)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port with the same persistence."""
        self.stop()
        self.start()
