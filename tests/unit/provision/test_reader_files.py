"""config.json for the firmware: its keys, limits, and the DER CA next to it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from tools.provision import BrokerEndpoint, ReaderCredentials, reader_config, reader_files
from tools.provision.pki import TlsPaths, create_ca

FIRMWARE_SRC = Path(__file__).resolve().parents[3] / "firmware" / "src"
MICROPYTHON = Path(sys.executable).parent / "micropython"


def firmware_problems(config: dict[str, object]) -> dict[str, str]:
    """What the firmware's own checks (config_rules.check against config_schema's defaults) say
    about each key, run under the MicroPython unix port as on the reader."""
    script = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(FIRMWARE_SRC)!r})\n"
        "import config_rules, config_schema\n"
        f"values = json.loads({json.dumps(config)!r})\n"
        "d = config_schema.DEFAULTS\n"
        "out = {}\n"
        "for k in values:\n"
        "    if k != 'schema':\n"
        "        out[k] = config_rules.check(k, values[k], d.get(k))\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [str(MICROPYTHON), "-c", script], capture_output=True, text=True, check=True
    )
    return {k: v for k, v in json.loads(result.stdout).items() if v is not None}


@pytest.fixture
def credentials(tmp_path: Path) -> ReaderCredentials:
    paths = TlsPaths(tmp_path)
    create_ca(paths)
    return ReaderCredentials("esp32-a1b2c3", "pw-" + "x" * 29, paths.ca_cert.read_bytes())


def test_config_has_exactly_the_provisioning_keys_and_the_firmware_accepts_them(
    credentials: ReaderCredentials,
) -> None:
    config = reader_config(
        credentials,
        broker=BrokerEndpoint("sentinel.local"),
        wifi_ssid="unit",
        wifi_password="wifi-pw",
    )
    assert config == {
        "schema": 1,
        "device_id": "esp32-a1b2c3",
        "wifi_ssid": "unit",
        "wifi_password": "wifi-pw",
        "mqtt_host": "sentinel.local",
        "mqtt_port": 8883,
        "mqtt_user": "esp32-a1b2c3",
        "mqtt_password": credentials.password,
        "mqtt_tls": True,
        "mqtt_ca": "ca.der",
    }
    assert firmware_problems(config) == {}


def test_files_hold_the_config_and_the_ca_in_der(credentials: ReaderCredentials) -> None:
    files = reader_files(
        credentials, broker=BrokerEndpoint("10.0.0.2"), wifi_ssid="u", wifi_password="p"
    )
    assert set(files) == {"config.json", "ca.der"}
    assert json.loads(files["config.json"])["mqtt_ca"] == "ca.der"
    assert credentials.ca_pem is not None
    pem = x509.load_pem_x509_certificate(credentials.ca_pem)
    assert x509.load_der_x509_certificate(files["ca.der"]) == pem


def test_without_tls_there_is_no_ca_and_the_plain_port(credentials: ReaderCredentials) -> None:
    files = reader_files(
        credentials,
        broker=BrokerEndpoint("10.0.0.2", tls=False),
        wifi_ssid="u",
        wifi_password="p",
    )
    config = json.loads(files["config.json"])
    assert (config["mqtt_tls"], config["mqtt_port"], config["mqtt_ca"]) == (False, 1883, "")
    assert set(files) == {"config.json"}


def test_tls_without_a_ca_is_refused() -> None:
    with pytest.raises(ValueError, match="no CA"):
        reader_config(
            ReaderCredentials("esp32-a1b2c3", "pw", None),
            broker=BrokerEndpoint("h"),
            wifi_ssid="u",
            wifi_password="p",
        )


def test_values_longer_than_the_firmware_accepts_are_refused(
    credentials: ReaderCredentials,
) -> None:
    with pytest.raises(ValueError, match="wifi_ssid"):
        reader_config(
            credentials, broker=BrokerEndpoint("h"), wifi_ssid="s" * 33, wifi_password="p"
        )
