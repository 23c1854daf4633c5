"""PIN hashing with argon2id; the only module that touches the hash format."""

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# A 4-digit PIN has little entropy: the lockout (shared.domain.auth) is the real defence; the
# hash keeps PINs out of a database dump. Parameters are argon2-cffi's RFC 9106 low-memory set.
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not-a-pin")


async def hash_pin(pin: str) -> str:
    """Return the argon2id hash of `pin` (computed off the event loop)."""
    return await asyncio.to_thread(_HASHER.hash, pin)


def _verify(stored: str | None, pin: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, pin) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_pin(stored: str | None, pin: str) -> bool:
    """Return True when `pin` matches; a missing hash still costs one verification (no timing leak)."""
    return await asyncio.to_thread(_verify, stored, pin)
