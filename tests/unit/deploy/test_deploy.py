"""The deployment files stay consistent with the code: compose, .env.example, Dockerfile,
systemd units and scripts (the tools they need are optional; checks skip with a reason)."""

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
SCALE_OUT = DEPLOY / "docker-compose.scale-out.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"


def documented_variables() -> set[str]:
    """Names set in .env.example, commented out (`#NAME=`) or not."""
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))


def test_env_example_documents_every_service_setting() -> None:
    missing = {f"SENTINEL_{n.upper()}" for n in Settings.model_fields} - documented_variables()
    assert missing == set(), "add these to deploy/.env.example"


def test_every_variable_compose_interpolates_is_documented() -> None:
    used: set[str] = set()
    for path in (COMPOSE, SCALE_OUT):
        used |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", path.read_text()))
    assert used - documented_variables() == set()


def test_compose_wires_the_services_in_order() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) == {
        "db",
        "broker-init",
        "mosquitto",
        "migrate",
        "ingest",
        "api",
        "provision",
    }
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("ingest", "api"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["mosquitto"]["condition"] == "service_healthy"
    assert services["mosquitto"]["depends_on"]["broker-init"]["condition"] == (
        "service_completed_successfully"
    )
    assert "1883:1883" not in services["mosquitto"]["ports"]  # plain MQTT stays on loopback
    assert services["db"]["image"].startswith("${TIMESCALE_IMAGE:-timescale/timescaledb")
    assert services["mosquitto"]["image"].startswith("${MOSQUITTO_IMAGE:-eclipse-mosquitto")


def test_scale_out_workers_have_distinct_client_ids_in_one_share_group() -> None:
    base = yaml.safe_load(COMPOSE.read_text())["services"]
    extra = yaml.safe_load(SCALE_OUT.read_text())["services"]
    ids = [base["ingest"]["environment"]["SENTINEL_INGEST_CLIENT_ID"]]
    ids += [extra[n]["environment"]["SENTINEL_INGEST_CLIENT_ID"] for n in ("ingest-2", "ingest-3")]
    assert len(set(ids)) == 3
    assert {extra[n]["environment"]["SENTINEL_INGEST_SHARE_GROUP"] for n in extra} == {"ingest"}


def compose_plugin() -> list[str]:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"the docker compose plugin is absent: {probe.stderr.strip()[:120]}")
    return [docker, "compose"]


@pytest.mark.parametrize("files", [[COMPOSE], [COMPOSE, SCALE_OUT]], ids=["base", "scale-out"])
def test_docker_compose_accepts_the_files(files: list[Path]) -> None:
    command = [*compose_plugin(), "--env-file", str(ENV_EXAMPLE)]
    for path in files:
        command += ["-f", str(path)]
    result = subprocess.run(
        [*command, "--profile", "tools", "config", "--quiet"],
        capture_output=True,
        text=True,
        cwd=DEPLOY,
    )
    assert result.returncode == 0, result.stderr


def test_dockerfile_pins_the_locked_cryptography() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = next(p["version"] for p in lock["package"] if p["name"] == "cryptography")
    match = re.search(r"ARG CRYPTOGRAPHY_VERSION=(\S+)", (DEPLOY / "Dockerfile").read_text())
    assert match and match.group(1) == locked


def test_systemd_units_verify() -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    units = sorted(str(p) for p in (DEPLOY / "systemd").iterdir())
    result = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True, text=True)
    # The units name /opt/sentinel paths that exist only on an installed server.
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "is not executable" not in line and "/opt/sentinel" not in line
    ]
    assert problems == []


@pytest.mark.parametrize("script", ["up.sh", "provision-reader.sh", "backup.sh"])
def test_shell_scripts_parse(script: str) -> None:
    path = DEPLOY / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    subprocess.run(["bash", "-n", str(path)], check=True)
