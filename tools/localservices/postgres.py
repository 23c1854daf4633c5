"""A throwaway PostgreSQL cluster from the local binaries (Debian's postgresql-15).

PostgreSQL refuses to run as root (`pg_ctl: cannot be run as root`), and CI runs as root, so as
root every server command runs as the `postgres` user through `runuser` and the data directory
is owned by it (backend-notes §2.2).
"""

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tools.localservices.ports import free_port, wait_for_port

FAST_UNSAFE = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off",)


def find_pg_bin() -> Path:
    """Return the directory holding `initdb`/`pg_ctl`/`postgres`, newest version first."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for directory in candidates:
        if Path(directory, "pg_ctl").exists():
            return Path(directory)
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    raise FileNotFoundError(
        "PostgreSQL server binaries not found: install them with `apt-get install -y postgresql`"
    )


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@dataclass
class Postgres:
    """A cluster in `data_dir`, listening on 127.0.0.1:`port`; superuser `postgres`, trust auth."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    durable: bool = True
    bin_dir: Path = field(default_factory=find_pg_bin)

    def url(self, database: str = "postgres") -> str:
        """Return a `postgresql+asyncpg://` URL for `database`."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _prepare_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            for path in [self.data_dir, *self.data_dir.parents]:
                if path == Path("/"):
                    break
                # The server user must be able to traverse every ancestor.
                path.chmod(path.stat().st_mode | 0o011)
            os.chown(self.data_dir, user.pw_uid, user.pw_gid)

    def start(self) -> None:
        """Create the cluster if needed, start it and wait until it accepts connections."""
        self._prepare_dir()
        pgdata = self.data_dir / "pgdata"
        if not (pgdata / "PG_VERSION").exists():
            subprocess.run(
                _as_postgres(
                    [
                        str(self.bin_dir / "initdb"),
                        "-D",
                        str(pgdata),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                    ]
                ),
                check=True,
                capture_output=True,
            )
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=200"
        if not self.durable:
            options += " " + " ".join(FAST_UNSAFE)
        result = subprocess.run(
            _as_postgres(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(pgdata),
                    "-l",
                    str(self.data_dir / "postgres.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "30",
                    "start",
                ]
            ),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            log = self.data_dir / "postgres.log"
            detail = log.read_text()[-2000:] if log.exists() else result.stderr
            raise RuntimeError(f"PostgreSQL did not start on port {self.port}: {detail}")
        wait_for_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`immediate` simulates a crash)."""
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data_dir / "pgdata"),
                    "-m",
                    mode,
                    "-w",
                    "stop",
                ]
            ),
            capture_output=True,
            check=False,
        )
