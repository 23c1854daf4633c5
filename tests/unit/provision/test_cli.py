"""`python -m tools.provision`: init, readers and users on a state directory (no broker)."""

import json
import stat
from pathlib import Path

import pytest

from tools.provision.__main__ import main
from tools.provision.acl import Role
from tools.provision.state import BrokerState


def run(state: Path, *args: str) -> int:
    return main(["--state-dir", str(state), "--quiet", *args])


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SENTINEL_BROKER_INGEST_PASSWORD", "ingest-pw")
    monkeypatch.delenv("SENTINEL_BROKER_DASHBOARD_PASSWORD", raising=False)
    monkeypatch.delenv("SENTINEL_DATABASE_URL", raising=False)
    root = tmp_path / "broker"
    assert run(root, "init", "--hostname", "sentinel.local", "--hostname", "10.0.0.2") == 0
    return root


def test_init_creates_files_users_and_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTINEL_BROKER_INGEST_PASSWORD", "ingest-pw")
    monkeypatch.delenv("SENTINEL_BROKER_DASHBOARD_PASSWORD", raising=False)
    state = tmp_path / "broker"
    assert run(state, "init", "--hostname", "sentinel.local") == 0
    broker = BrokerState(state)
    assert {p.username: p.role for p in broker.principals().values()} == {
        "ingest": Role.SERVICE,
        "dashboard": Role.DASHBOARD,
    }
    assert broker.has_password("ingest", "ingest-pw")
    generated = capsys.readouterr().out.split()
    assert generated[0] == "dashboard" and broker.has_password("dashboard", generated[1])
    assert stat.S_IMODE(broker.tls.ca_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(broker.passwd_path.stat().st_mode) == 0o640
    config = broker.config_path.read_text()
    assert "allow_anonymous false" in config and "listener 8883" in config
    before = broker.passwd_path.read_text()
    assert run(state, "init", "--hostname", "sentinel.local") == 0
    assert broker.passwd_path.read_text() == before
    assert capsys.readouterr().out == ""


def test_reader_add_writes_a_private_bundle_and_refuses_a_second_add(
    state: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    args = ["reader", "add", "esp32-a1b2c3", "--no-register", "--output", str(out)]
    assert run(state, *args, "--wifi-ssid", "unit") == 0
    config = json.loads((out / "config.json").read_text())
    assert (config["mqtt_host"], config["mqtt_port"], config["wifi_ssid"]) == (
        "sentinel.local",
        8883,
        "unit",
    )
    assert stat.S_IMODE((out / "config.json").stat().st_mode) == 0o600
    assert BrokerState(state).has_password("esp32-a1b2c3", config["mqtt_password"])
    assert run(state, *args) == 1
    assert (
        run(state, "reader", "rotate", "esp32-a1b2c3", "--no-register", "--output", str(out)) == 0
    )
    assert json.loads((out / "config.json").read_text())["mqtt_password"] != config["mqtt_password"]


def test_reader_revoke_and_list(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for device in ("esp32-000001", "esp32-000002"):
        assert run(state, "reader", "add", device, "--no-register", "--output", "/dev/null/x") == 1
    capsys.readouterr()
    bundle = str(Path(state).parent / "out")
    assert run(state, "reader", "add", "esp32-000001", "--no-register", "--output", bundle) == 0
    assert run(state, "reader", "revoke", "esp32-000001", "--no-register") == 0
    assert run(state, "reader", "revoke", "esp32-000001", "--no-register") == 1
    capsys.readouterr()
    assert run(state, "reader", "list") == 0
    assert "esp32-000001" not in capsys.readouterr().out
    assert "esp32-000001" not in (state / "acl").read_text()


def test_users_get_roles_and_passwords_from_the_environment(
    state: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VIEWER_PW", "viewer-pw")
    assert (
        run(state, "user", "add", "lobby-tv", "--role", "dashboard", "--password-env", "VIEWER_PW")
        == 0
    )
    assert BrokerState(state).has_password("lobby-tv", "viewer-pw")
    assert run(state, "user", "rotate", "lobby-tv") == 0
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert BrokerState(state).has_password("lobby-tv", printed)
    assert run(state, "user", "add", "bad name", "--role", "monitor") == 1
    assert run(state, "user", "remove", "lobby-tv") == 0
    assert "lobby-tv" not in BrokerState(state).principals()
