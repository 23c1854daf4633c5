"""PIN hashing with argon2id; the only module that touches the hash format."""

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# A 4-digit PIN has little entropy: the lockout (shared.domain.auth) is the real defence; the
# hash keeps PINs out of a database dump. OWASP's argon2id minimum (m=19 MiB, t=2, p=1) keeps a
# login near 60 ms on a small appliance, where the library default took 0.6 s.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
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
