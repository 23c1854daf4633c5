"""`init`: make a broker state directory ready to serve, idempotently.

Creates the password/ACL files, a local CA and server certificate (unless TLS files exist,
e.g. from the operator's own CA), the service and dashboard principals, and `mosquitto.conf`.
Running it again changes nothing except what its inputs changed, so a container can run it
on every start.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.provision import passwords, pki
from tools.provision.acl import Role
from tools.provision.brokerconf import BrokerConfig, production_listeners, render_config
from tools.provision.files import write_text
from tools.provision.progress import Progress
from tools.provision.state import BrokerState


@dataclass(frozen=True)
class InitOptions:
    """What `init` sets up."""

    hostnames: Sequence[str] = ("localhost",)
    tls: bool = True
    plain_bind: str | None = "127.0.0.1"
    websockets_port: int | None = None
    websockets_tls: bool = True  # False: plain ws, e.g. behind a TLS-terminating proxy
    pin_reader_client_ids: bool = False
    run_as: str | None = None
    # username → (role, password or None to generate one when the user is missing)
    principals: Mapping[str, tuple[Role, str | None]] = field(default_factory=dict)
    broker_state_dir: Path | None = None  # the state dir as the broker sees it, if different


@dataclass
class InitResult:
    """What `init` did; `generated` holds passwords shown once."""

    created_ca: bool = False
    issued_server_certificate: bool = False
    generated: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


def initialise(state: BrokerState, options: InitOptions, progress: Progress) -> InitResult:
    """Bring the state directory to the state `options` describe."""
    result = InitResult()
    with progress.step(f"Preparing broker state in {state.root}"):
        state.ensure_files()
    if options.tls and not state.tls.has_server_identity():
        if not state.tls.ca_cert.exists():
            with progress.step("Creating the local certificate authority"):
                pki.create_ca(state.tls)
                result.created_ca = True
        with progress.step(f"Issuing the broker certificate for {', '.join(options.hostnames)}"):
            pki.issue_server_certificate(state.tls, options.hostnames)
            result.issued_server_certificate = True
    for username, (role, password) in sorted(options.principals.items()):
        _ensure_principal(state, username, role, password, result, progress)
    with progress.step("Writing mosquitto.conf"):
        config = BrokerConfig(
            state_dir=options.broker_state_dir or state.root,
            listeners=production_listeners(
                plain_bind=options.plain_bind,
                tls_port=8883 if options.tls else None,
                websockets_port=options.websockets_port,
                websockets_tls=options.tls and options.websockets_tls,
                pin_reader_client_ids=options.pin_reader_client_ids,
            ),
            run_as=options.run_as,
        )
        write_text(state.config_path, render_config(config), mode=0o644)
    return result


def _ensure_principal(
    state: BrokerState,
    username: str,
    role: Role,
    password: str | None,
    result: InitResult,
    progress: Progress,
) -> None:
    exists = username in state.principals()
    if exists and (password is None or state.has_password(username, password)):
        return
    with progress.step(f"{'Updating' if exists else 'Creating'} broker user {username} ({role})"):
        secret = password or passwords.generate_password()
        state.set_password(username, role, secret, replace=exists)
    result.changed.append(username)
    if password is None:
        result.generated[username] = secret
