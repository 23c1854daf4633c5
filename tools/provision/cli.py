"""The provisioning CLI's arguments: `python -m tools.provision --help` lists every command."""

import argparse
import os
from pathlib import Path

from tools.provision.acl import Role
from tools.provision.state import DEFAULT_STATE_DIR


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name) or default


def _reader_arguments(parser: argparse.ArgumentParser, *, files: bool) -> None:
    parser.add_argument("device_id", help="the reader's device id, e.g. esp32-a1b2c3")
    parser.add_argument(
        "--database-url",
        default=_env("SENTINEL_DATABASE_URL"),
        help="database to register the reader in (default: $SENTINEL_DATABASE_URL)",
    )
    parser.add_argument("--no-register", action="store_true", help="do not touch the devices table")
    parser.add_argument("--no-reload", action="store_true", help="do not SIGHUP the broker")
    if not files:
        return
    parser.add_argument("--name", help="a human name for the reader, e.g. 'Main door'")
    parser.add_argument(
        "--mqtt-host",
        default=_env("SENTINEL_BROKER_PUBLIC_HOST"),
        help="host name readers connect to (default: $SENTINEL_BROKER_PUBLIC_HOST, else the "
        "first name on the broker certificate)",
    )
    parser.add_argument("--mqtt-port", type=int, help="default 8883 with TLS, 1883 without")
    parser.add_argument("--no-tls", action="store_true", help="connect readers without TLS")
    parser.add_argument("--wifi-ssid", default=_env("SENTINEL_WIFI_SSID", ""))
    parser.add_argument(
        "--wifi-password",
        default=_env("SENTINEL_WIFI_PASSWORD", ""),
        help="prefer $SENTINEL_WIFI_PASSWORD: arguments are visible in `ps`",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="directory for config.json and ca.der (default: ./readers/<device_id>)",
    )


def _user_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("username")
    parser.add_argument(
        "--password-env",
        metavar="VAR",
        help="take the password from this environment variable instead of generating one",
    )
    parser.add_argument("--no-reload", action="store_true", help="do not SIGHUP the broker")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of `python -m tools.provision`."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.provision",
        description="Broker credentials, ACLs, TLS and reader provisioning for Sentinel.",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(_env("SENTINEL_BROKER_STATE_DIR", str(DEFAULT_STATE_DIR)) or ""),
        help="broker state directory (default: $SENTINEL_BROKER_STATE_DIR or %(default)s)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="prepare the state dir: files, TLS, users, config")
    init.add_argument(
        "--hostname",
        action="append",
        default=[],
        help="name or IP readers use for the broker (repeat; default: "
        "$SENTINEL_BROKER_HOSTNAMES, comma-separated, else localhost)",
    )
    init.add_argument("--no-tls", action="store_true", help="no TLS listener, no certificates")
    init.add_argument(
        "--plain-bind",
        default="127.0.0.1",
        help="address of the plain 1883 listener; 'all' for every interface (containers)",
    )
    init.add_argument("--websockets", type=int, metavar="PORT", help="add a WebSockets listener")
    init.add_argument(
        "--websockets-plain", action="store_true", help="WebSockets without TLS (behind a proxy)"
    )
    init.add_argument(
        "--pin-reader-client-ids",
        action="store_true",
        help="force client id = username on 8883 (each client there needs its own user)",
    )
    init.add_argument("--run-as", help="user the broker drops to when started as root")
    init.add_argument(
        "--broker-state-dir", type=Path, help="the state dir as the broker sees it, if different"
    )
    init.add_argument(
        "--service-user",
        default="ingest",
        help="service (ingest) username; password from $SENTINEL_BROKER_INGEST_PASSWORD",
    )
    init.add_argument(
        "--dashboard-user",
        default="dashboard",
        help="read-only dashboard username; password from $SENTINEL_BROKER_DASHBOARD_PASSWORD",
    )

    reader = commands.add_parser("reader", help="add, rotate, revoke or list readers")
    reader_commands = reader.add_subparsers(dest="action", required=True)
    _reader_arguments(reader_commands.add_parser("add", help="provision a new reader"), files=True)
    _reader_arguments(reader_commands.add_parser("rotate", help="issue a new password"), files=True)
    _reader_arguments(
        reader_commands.add_parser("revoke", help="delete credentials, disable"), files=False
    )
    reader_commands.add_parser("list", help="list provisioned readers")

    user = commands.add_parser("user", help="service, dashboard and monitor users")
    user_commands = user.add_subparsers(dest="action", required=True)
    add = user_commands.add_parser("add", help="create a user")
    _user_arguments(add)
    add.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role if r is not Role.READER],
        help="service: the ingest; dashboard: read-only topics; monitor: read everything",
    )
    _user_arguments(user_commands.add_parser("rotate", help="issue a new password"))
    remove = user_commands.add_parser("remove", help="delete a user")
    remove.add_argument("username")
    remove.add_argument("--no-reload", action="store_true")
    user_commands.add_parser("list", help="list every principal and its role")

    tls = commands.add_parser("tls", help="local CA, broker and client certificates")
    tls_commands = tls.add_subparsers(dest="action", required=True)
    ca = tls_commands.add_parser("ca", help="create the local CA")
    ca.add_argument("--force", action="store_true", help="replace an existing CA")
    server = tls_commands.add_parser("server", help="issue the broker certificate")
    server.add_argument("--hostname", action="append", required=True)
    client = tls_commands.add_parser("client", help="issue a client certificate (mutual TLS)")
    client.add_argument("name")

    commands.add_parser("reload", help="SIGHUP the broker (re-reads passwords and ACLs)")
    return parser
