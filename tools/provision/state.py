"""The broker state directory: principals, password file, ACL file, TLS files, reload.

Layout (all paths relative to the state directory, default /var/lib/sentinel/broker):
`principals.json` (username → role and dates; no secrets; the source of the ACL file),
`passwd` (Mosquitto `$7$` hashes), `acl`, `tls/`, `mosquitto.conf`, `mosquitto.pid`, `data/`.
Every change takes an exclusive lock, rewrites the files atomically, and the broker picks it
up on SIGHUP (`reload_broker`).
"""

import contextlib
import fcntl
import json
import logging
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.clock import Clock, SystemClock
from tools.provision import passwords
from tools.provision.acl import Role, render_acl
from tools.provision.files import ensure_directory, write_text
from tools.provision.pki import TlsPaths

log = logging.getLogger(__name__)
DEFAULT_STATE_DIR = Path("/var/lib/sentinel/broker")


class PrincipalExists(Exception):
    """The username is already provisioned (rotate it instead)."""


class UnknownPrincipal(Exception):
    """No principal has that username."""


@dataclass(frozen=True)
class Principal:
    """One broker identity (no secret)."""

    username: str
    role: Role
    created_at: str
    rotated_at: str

    def to_json(self) -> dict[str, str]:
        """The principals.json entry."""
        return {
            "role": self.role.value,
            "created_at": self.created_at,
            "rotated_at": self.rotated_at,
        }


@dataclass(frozen=True)
class BrokerState:
    """A broker state directory."""

    root: Path

    @property
    def principals_path(self) -> Path:
        """Who exists, with which role."""
        return self.root / "principals.json"

    @property
    def passwd_path(self) -> Path:
        """The Mosquitto password file."""
        return self.root / "passwd"

    @property
    def acl_path(self) -> Path:
        """The Mosquitto ACL file."""
        return self.root / "acl"

    @property
    def config_path(self) -> Path:
        """The generated mosquitto.conf."""
        return self.root / "mosquitto.conf"

    @property
    def pid_path(self) -> Path:
        """The broker's pid file (written by Mosquitto, `pid_file`)."""
        return self.root / "mosquitto.pid"

    @property
    def tls(self) -> TlsPaths:
        """The TLS files."""
        return TlsPaths(self.root / "tls")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state directory's exclusive lock (one writer at a time)."""
        ensure_directory(self.root)
        with (self.root / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def principals(self) -> dict[str, Principal]:
        """Return every principal by username."""
        if not self.principals_path.exists():
            return {}
        raw = json.loads(self.principals_path.read_text())
        return {
            name: Principal(name, Role(entry["role"]), entry["created_at"], entry["rotated_at"])
            for name, entry in raw.get("principals", {}).items()
        }

    def hashes(self) -> dict[str, str]:
        """Return username → password hash from the password file."""
        if not self.passwd_path.exists():
            return {}
        return passwords.parse_password_file(self.passwd_path.read_text())

    def _save(self, principals: dict[str, Principal], hashes: dict[str, str]) -> None:
        document = {
            "version": 1,
            "principals": {n: p.to_json() for n, p in sorted(principals.items())},
        }
        write_text(self.principals_path, json.dumps(document, indent=2) + "\n", mode=0o644)
        write_text(self.passwd_path, passwords.render_password_file(hashes))
        write_text(self.acl_path, render_acl({n: p.role for n, p in principals.items()}))

    def ensure_files(self) -> None:
        """Create empty principal, password and ACL files and `data/` if they are missing."""
        with self.locked():
            if not self.passwd_path.exists() or not self.acl_path.exists():
                self._save(self.principals(), self.hashes())
            ensure_directory(self.root / "data")

    def set_password(
        self,
        username: str,
        role: Role,
        password: str,
        *,
        replace: bool,
        clock: Clock | None = None,
    ) -> Principal:
        """Create (or, with `replace`, re-key) a principal with `password`."""
        passwords.check_username(username)
        now = (clock or SystemClock()).now().isoformat()
        with self.locked():
            principals, hashes = self.principals(), self.hashes()
            existing = principals.get(username)
            if existing is not None and not replace:
                raise PrincipalExists(f"{username} already exists; rotate its credentials instead")
            if existing is not None and existing.role is not role:
                raise PrincipalExists(f"{username} exists with role {existing.role}, not {role}")
            created = existing.created_at if existing else now
            principals[username] = Principal(username, role, created, now)
            hashes[username] = passwords.hash_password(password)
            self._save(principals, hashes)
        log.info("broker_principal_set", extra={"username": username, "role": role.value})
        return principals[username]

    def has_password(self, username: str, password: str) -> bool:
        """True when `username` exists and `password` is its current password."""
        encoded = self.hashes().get(username)
        return encoded is not None and passwords.verify_password(password, encoded)

    def remove(self, username: str) -> Principal:
        """Delete a principal and its password; raise UnknownPrincipal if absent."""
        with self.locked():
            principals, hashes = self.principals(), self.hashes()
            removed = principals.pop(username, None)
            if removed is None:
                raise UnknownPrincipal(f"no broker user {username!r}")
            hashes.pop(username, None)
            self._save(principals, hashes)
        log.info("broker_principal_removed", extra={"username": username})
        return removed


def _is_mosquitto(pid: int) -> bool:
    """False when /proc shows `pid` is another program (a stale or foreign pid file)."""
    comm = Path(f"/proc/{pid}/comm")
    try:
        return comm.read_text().strip().startswith("mosquitto")
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no /proc: trust the pid file
    except OSError:
        return True


def reload_broker(state: BrokerState, pid: int | None = None) -> bool:
    """Send SIGHUP to the broker (from `pid` or its pid file); return False if none runs.

    In a container without the broker's pid namespace the pid file names a process that is
    not the broker (often pid 1 of this container); that is detected and reported as False.
    """
    if pid is None:
        try:
            pid = int(state.pid_path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return False
    if not _is_mosquitto(pid):
        return False
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError:
        return False
    return True
