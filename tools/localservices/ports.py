"""Free loopback ports and waiting for a port to accept connections."""

import random
import socket
import time
from pathlib import Path

# Ports are handed out below the kernel's ephemeral range when there is room: the local port of
# every outgoing connection on the machine comes from that range, so a port picked inside it can
# be taken by any client between the pick and the server's bind (seen in CI: mosquitto's
# "Address already in use" on a port `bind(0)` had just returned).
LISTEN_FLOOR = 20_000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_pick = random.SystemRandom()  # not the `random` module's state: tests may seed that alike


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range for the local ports of outgoing connections.

    Linux's default when the setting cannot be read.
    """
    try:
        low, high = (int(n) for n in EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago.

    Below the ephemeral range when at least a thousand ports lie between it and LISTEN_FLOOR;
    otherwise whatever the kernel hands out.
    """
    low, _ = ephemeral_range()
    if low - LISTEN_FLOOR >= 1000:
        for _ in range(100):
            port = _pick.randrange(LISTEN_FLOOR, low)
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue  # in use, or lingering after a server on it closed
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        found: int = sock.getsockname()[1]
        return found


def wait_for_port(port: int, *, timeout_s: float = 15.0, host: str = "127.0.0.1") -> None:
    """Block until `host:port` accepts a TCP connection, or raise TimeoutError."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout_s}s") from None
            time.sleep(0.02)  # polling a port that is coming up; not test synchronisation
