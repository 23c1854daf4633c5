"""`python -m tools.provision`: broker users, reader credentials, TLS files, reload.

Secrets are printed once (generated passwords) or written to files with mode 0600
(a reader's config.json); progress goes to stderr.
"""

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from tools.provision import pki
from tools.provision.acl import Role
from tools.provision.bootstrap import InitOptions, initialise
from tools.provision.cli import build_parser
from tools.provision.files import ensure_directory
from tools.provision.passwords import generate_password
from tools.provision.progress import Progress
from tools.provision.readers import (
    BrokerEndpoint,
    ReaderCredentials,
    provision_reader,
    reader_config,
    reader_files,
    revoke_reader,
    write_reader_files,
)
from tools.provision.state import BrokerState, PrincipalExists, UnknownPrincipal, reload_broker

RELOAD_HINT = (
    "broker not signalled (no pid file or process); reload it yourself: "
    "`systemctl reload sentinel-mosquitto` or `docker compose kill -s HUP mosquitto`"
)


def _reload(state: BrokerState, skip: bool, progress: Progress) -> None:
    if skip:
        return
    if reload_broker(state):
        progress.note("broker reloaded (SIGHUP)")
    else:
        progress.note(RELOAD_HINT)


def _init(state: BrokerState, args: argparse.Namespace, progress: Progress) -> None:
    hostnames = args.hostname or [
        h.strip() for h in os.environ.get("SENTINEL_BROKER_HOSTNAMES", "localhost").split(",")
    ]
    principals = {
        args.service_user: (Role.SERVICE, os.environ.get("SENTINEL_BROKER_INGEST_PASSWORD")),
        args.dashboard_user: (Role.DASHBOARD, os.environ.get("SENTINEL_BROKER_DASHBOARD_PASSWORD")),
    }
    options = InitOptions(
        hostnames=[h for h in hostnames if h],
        tls=not args.no_tls,
        plain_bind=None if args.plain_bind == "all" else args.plain_bind,
        websockets_port=args.websockets,
        websockets_tls=not args.websockets_plain,
        pin_reader_client_ids=args.pin_reader_client_ids,
        run_as=args.run_as,
        principals=principals,
        broker_state_dir=args.broker_state_dir,
    )
    result = initialise(state, options, progress)
    for username, password in result.generated.items():
        print(f"{username}\t{password}")
    if result.changed and reload_broker(state):
        progress.note("broker reloaded (SIGHUP)")


def _broker_endpoint(state: BrokerState, args: argparse.Namespace) -> BrokerEndpoint:
    host = args.mqtt_host
    if not host and state.tls.server_cert.exists():
        names = pki.certificate_names(state.tls.server_cert)
        host = names[0] if names else None
    if not host:
        raise ValueError("name the broker host readers connect to: --mqtt-host")
    return BrokerEndpoint(host, tls=not args.no_tls, port=args.mqtt_port)


def _reader(state: BrokerState, args: argparse.Namespace, progress: Progress) -> None:
    if args.action == "list":
        for p in state.principals().values():
            if p.role is Role.READER:
                print(f"{p.username}\tcreated {p.created_at}\trotated {p.rotated_at}")
        return
    database_url = None if args.no_register else args.database_url
    if args.action == "revoke":
        with progress.step(f"Revoking {args.device_id}"):
            revoke_reader(
                args.device_id, state_dir=state.root, database_url=database_url, reload=False
            )
        _reload(state, args.no_reload, progress)
        return
    if database_url is None and not args.no_register:
        progress.note("no database URL: the reader is not pre-registered (--database-url)")
    endpoint = _broker_endpoint(state, args)
    output = args.output or Path("readers") / args.device_id
    # Everything that can fail is checked before credentials are issued, not after.
    ensure_directory(output)
    ca = state.tls.ca_cert.read_bytes() if state.tls.ca_cert.exists() else None
    bundle = {"broker": endpoint, "wifi_ssid": args.wifi_ssid, "wifi_password": args.wifi_password}
    reader_config(ReaderCredentials(args.device_id, "-" * 32, ca), **bundle)
    verb = "Rotating credentials of" if args.action == "rotate" else "Provisioning"
    with progress.step(f"{verb} {args.device_id}"):
        credentials = provision_reader(
            args.device_id,
            state_dir=state.root,
            database_url=database_url,
            name=args.name,
            rotate=args.action == "rotate",
            reload=False,
        )
    files = reader_files(credentials, **bundle)
    with progress.step(f"Writing {', '.join(files)} to {output}"):
        write_reader_files(output, files)
    _reload(state, args.no_reload, progress)
    print(output)


def _user(state: BrokerState, args: argparse.Namespace, progress: Progress) -> None:
    if args.action == "list":
        for p in state.principals().values():
            print(f"{p.username}\t{p.role}\trotated {p.rotated_at}")
        return
    if args.action == "remove":
        state.remove(args.username)
    else:
        given = os.environ.get(args.password_env) if args.password_env else None
        if args.password_env and not given:
            raise ValueError(f"${args.password_env} is empty")
        password = given or generate_password()
        if args.action == "add":
            state.set_password(args.username, Role(args.role), password, replace=False)
        else:
            current = state.principals().get(args.username)
            if current is None:
                raise UnknownPrincipal(f"no broker user {args.username!r}")
            state.set_password(args.username, current.role, password, replace=True)
        if not given:
            print(password)
    _reload(state, args.no_reload, progress)


def _tls(state: BrokerState, args: argparse.Namespace, progress: Progress) -> None:
    paths = state.tls
    if args.action == "ca":
        if paths.ca_cert.exists() and not args.force:
            raise ValueError(f"{paths.ca_cert} exists; --force replaces it (reissue everything)")
        with progress.step("Creating the local certificate authority"):
            pki.create_ca(paths)
        print(paths.ca_cert)
    elif args.action == "server":
        with progress.step(f"Issuing the broker certificate for {', '.join(args.hostname)}"):
            pki.issue_server_certificate(paths, args.hostname)
        progress.note("reload the broker to use it")
        _reload(state, False, progress)
    else:
        with progress.step(f"Issuing a client certificate for {args.name}"):
            cert, key = pki.issue_client_certificate(paths, args.name)
        print(f"{cert}\n{key}")


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code."""
    args = build_parser().parse_args(argv)
    state = BrokerState(args.state_dir)
    progress = Progress(quiet=args.quiet)
    handlers = {"init": _init, "reader": _reader, "user": _user, "tls": _tls}
    try:
        if args.command == "reload":
            if not reload_broker(state):
                print(RELOAD_HINT, file=sys.stderr)
                return 1
            return 0
        handlers[args.command](state, args, progress)
    except (PrincipalExists, UnknownPrincipal, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OSError, SQLAlchemyError) as exc:
        print(f"error: database or file access failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
