"""Login throttles: failures per badge and per client address, read and written by kind."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.auth import ThrottleState


async def find_throttle(session: AsyncSession, kind: str, subject: str) -> ThrottleState | None:
    """Return the recorded failures for (kind, subject), if any."""
    row = (
        await session.execute(
            text(
                "SELECT failures, first_failed_at, locked_until FROM auth_throttles"
                " WHERE kind = :k AND subject = :s"
            ),
            {"k": kind, "s": subject[:128]},
        )
    ).first()
    return ThrottleState(row.failures, row.first_failed_at, row.locked_until) if row else None


async def lock_throttle(session: AsyncSession, kind: str, subject: str) -> ThrottleState | None:
    """Return the recorded failures for (kind, subject), locking the row for an update."""
    row = (
        await session.execute(
            text(
                "SELECT failures, first_failed_at, locked_until FROM auth_throttles"
                " WHERE kind = :k AND subject = :s FOR UPDATE"
            ),
            {"k": kind, "s": subject[:128]},
        )
    ).first()
    return ThrottleState(row.failures, row.first_failed_at, row.locked_until) if row else None


async def save_throttle(
    session: AsyncSession, kind: str, subject: str, state: ThrottleState
) -> None:
    """Insert or replace the throttle row."""
    await session.execute(
        text(
            "INSERT INTO auth_throttles (kind, subject, failures, first_failed_at, locked_until)"
            " VALUES (:k, :s, :f, :first, :until)"
            " ON CONFLICT (kind, subject) DO UPDATE SET failures = EXCLUDED.failures,"
            " first_failed_at = EXCLUDED.first_failed_at, locked_until = EXCLUDED.locked_until"
        ),
        {
            "k": kind,
            "s": subject[:128],
            "f": state.failures,
            "first": state.first_failed_at,
            "until": state.locked_until,
        },
    )


async def clear_throttle(session: AsyncSession, kind: str, subject: str) -> None:
    """Forget failures for (kind, subject) after a successful login."""
    await session.execute(
        text("DELETE FROM auth_throttles WHERE kind = :k AND subject = :s"),
        {"k": kind, "s": subject[:128]},
    )
