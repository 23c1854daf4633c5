"""Mosquitto password-file entries: PBKDF2-SHA512 hashes in the `$7$` format Mosquitto 2 reads.

The format is `user:$7$<iterations>$<base64 salt>$<base64 key>` with a 12-byte salt and a
64-byte key, byte-for-byte what `mosquitto_passwd` writes, so no broker tool is needed where
readers are provisioned. Generated passwords carry 192 random bits, so key stretching adds
nothing against a stolen file; the iteration count stays at mosquitto_passwd's default.
"""

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

DEFAULT_ITERATIONS = 101
SALT_BYTES = 12
KEY_BYTES = 64
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def generate_password() -> str:
    """Return a random 32-character password, safe inside a URL and a JSON string."""
    return secrets.token_urlsafe(24)


def check_username(username: str) -> str:
    """Return `username` if it is valid for the password and ACL files, else raise ValueError."""
    if not _USERNAME.match(username):
        raise ValueError(f"invalid broker username {username!r}: use [A-Za-z0-9._-], max 64")
    return username


def hash_password(
    password: str, *, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None
) -> str:
    """Return the `$7$` PBKDF2-SHA512 encoding of `password`."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, KEY_BYTES)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    """Return True when `password` matches a `$7$` encoding."""
    parts = encoded.split("$")
    if len(parts) != 5 or parts[1] != "7":
        return False
    try:
        iterations = int(parts[2])
        salt, key = base64.b64decode(parts[3]), base64.b64decode(parts[4])
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, len(key))
    return hmac.compare_digest(candidate, key)


def parse_password_file(text: str) -> dict[str, str]:
    """Return username → encoded hash from a password file's text (comments skipped)."""
    entries: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        username, _, encoded = line.partition(":")
        entries[username] = encoded
    return entries


def render_password_file(entries: Mapping[str, str]) -> str:
    """Return the password file's text, one `user:hash` line per entry, sorted by user."""
    return "".join(f"{user}:{entries[user]}\n" for user in sorted(entries))
