"""The files provisioning emits for a reader work on the firmware: its own `config.load` accepts
`config.json` without a warning, and its `make_tls` with `ca.der` reaches the TLS listener,
verifying the broker's name, where the reader's credentials are accepted (MicroPython unix
port with mbedTLS, as on the ESP32)."""

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.mqtt import unique_name
from tests.fixtures.secure_broker import SecureBroker
from tools.provision import BrokerEndpoint, provision_reader, reader_files, write_reader_files

FIRMWARE_SRC = Path(__file__).resolve().parents[3] / "firmware" / "src"

# Runs in MicroPython with the bundle directory as the working directory.
SCRIPT = """
import sys
sys.path.insert(0, {src!r})
import socket, config
make_tls = None
for name in ("mqttsock", "mqttc"):  # where the firmware keeps make_tls (it moved once)
    try:
        make_tls = getattr(__import__(name), "make_tls", None)
    except ImportError:
        pass
    if make_tls:
        break
if make_tls is None:
    print("NO_MAKE_TLS: update SCRIPT in tests/integration/broker/test_reader_bundle.py")
    sys.exit(0)
cfg = config.load("config.json")
ctx = make_tls(cfg.mqtt_ca)
raw = socket.socket()
raw.connect(socket.getaddrinfo("127.0.0.1", cfg.mqtt_port)[0][-1])
try:
    tls = ctx.wrap_socket(raw, server_hostname={host!r})
except Exception as exc:
    print("TLS_ERROR", type(exc).__name__, exc)
    sys.exit(0)
def field(b):
    return len(b).to_bytes(2, "big") + b
body = b"\\x00\\x04MQTT\\x04\\xc2\\x00\\x1e" + field(cfg.device_id.encode())
body += field(cfg.mqtt_user.encode()) + field(cfg.mqtt_password.encode())
size, length = len(body), b""
while True:
    byte, size = size % 128, size // 128
    length += bytes([byte | (0x80 if size else 0)])
    if not size:
        break
tls.write(b"\x10" + length + body)
print("CONNACK", tls.read(4).hex())
"""


def micropython() -> str:
    found = shutil.which("micropython") or str(Path(sys.executable).parent / "micropython")
    if not Path(found).exists():
        pytest.skip("the MicroPython unix port is not installed (uv sync --group dev)")
    return found


def run_on_firmware(bundle: Path, host: str) -> str:
    result = subprocess.run(
        [micropython(), "-c", SCRIPT.format(src=str(FIRMWARE_SRC), host=host)],
        cwd=bundle,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
async def bundle(
    secure_broker: SecureBroker, request: pytest.FixtureRequest, tmp_path: Path
) -> Path:
    device_id = unique_name(request, "rdr")
    credentials = await asyncio.to_thread(
        provision_reader, device_id, state_dir=secure_broker.state.root, reload=False
    )
    await secure_broker.reload()
    files = reader_files(
        credentials,
        broker=BrokerEndpoint("localhost", tls=True, port=secure_broker.tls_port),
        wifi_ssid="unit-wifi",
        wifi_password="wifi-secret",
    )
    write_reader_files(tmp_path, files)
    return tmp_path


async def test_firmware_loads_the_config_and_connects_over_verified_tls(bundle: Path) -> None:
    config = json.loads((bundle / "config.json").read_text())
    assert config["mqtt_tls"] is True and config["mqtt_ca"] == "ca.der"
    assert (bundle / "ca.der").stat().st_mode & 0o077 == 0
    output = await asyncio.to_thread(run_on_firmware, bundle, "localhost")
    assert "config_invalid" not in output and "config_missing" not in output, output
    assert "CONNACK 20020000" in output, output  # CONNACK, return code 0: accepted


async def test_firmware_refuses_a_broker_under_another_name(bundle: Path) -> None:
    output = await asyncio.to_thread(run_on_firmware, bundle, "broker.example")
    assert "TLS_ERROR" in output, output
