"""Free ports for the local services: outside the range the kernel gives client connections."""

import socket
from pathlib import Path

import pytest

from tools.localservices import ports


def test_free_ports_lie_below_the_ephemeral_range_and_can_be_bound() -> None:
    low, _ = ports.ephemeral_range()
    if low - ports.LISTEN_FLOOR < 1000:
        pytest.skip(f"this machine's ephemeral range starts at {low}: no room below it")
    picked = {ports.free_port() for _ in range(20)}
    assert all(ports.LISTEN_FLOOR <= port < low for port in picked)
    assert len(picked) > 1  # picked at random, not one fixed port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", picked.pop()))


def test_a_port_in_use_is_not_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        taken = held.getsockname()[1]
        held.listen()
        # The only candidate below the range is the port held, so the pick falls back.
        monkeypatch.setattr(ports, "LISTEN_FLOOR", taken)
        monkeypatch.setattr(ports, "ephemeral_range", lambda: (taken + 1000, 60999))
        monkeypatch.setattr(ports._pick, "randrange", lambda start, stop: taken)
        assert ports.free_port() != taken


def test_the_range_is_read_from_the_kernel_or_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "range"
    custom.write_text("40000\t50000\n")
    monkeypatch.setattr(ports, "EPHEMERAL_RANGE", custom)
    assert ports.ephemeral_range() == (40000, 50000)
    monkeypatch.setattr(ports, "EPHEMERAL_RANGE", tmp_path / "missing")
    assert ports.ephemeral_range() == (32768, 60999)
    # No room below the range: the kernel's pick, wherever it falls.
    monkeypatch.setattr(ports, "ephemeral_range", lambda: (ports.LISTEN_FLOOR + 10, 60999))
    port = ports.free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))
