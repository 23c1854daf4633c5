"""Atomic writes of broker state files, owned like the directory they land in.

The broker reads these files as its own user (`mosquitto` on Debian and in the
eclipse-mosquitto image), while provisioning often runs as root. A file written as root is
handed to the owner of its directory, so a state directory owned by the broker's user keeps
every file readable to it. Files are replaced with `os.replace`, so the broker never reads a
half-written password or ACL file when it reloads.
"""

import os
import tempfile
from pathlib import Path


def ensure_directory(path: Path) -> None:
    """Create `path` and missing parents; as root, each new one is owned like its parent."""
    if path.is_dir():
        return
    ensure_directory(path.parent)
    path.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        parent = path.parent.stat()
        os.chown(path, parent.st_uid, parent.st_gid)


def write_private(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically with `mode`, owned like the parent directory."""
    ensure_directory(path.parent)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if os.geteuid() == 0:
            parent = path.parent.stat()
            os.chown(temporary, parent.st_uid, parent.st_gid)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, *, mode: int = 0o640) -> None:
    """Write `text` (UTF-8) atomically; group-readable by default for the broker's group."""
    write_private(path, text.encode(), mode=mode)
