"""Reader rows in the `devices` table: pre-registration as `active`, and disabling on revoke.

A pre-registered reader is `active` from its first scan (instead of being auto-registered as
`pending` on first contact); a revoked one is `disabled`, so even a scan that slipped through
is rejected by the ingest. Each change is audited. One transaction per call (style.md §3).
"""

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.engine import make_engine, make_sessionmaker
from shared.store import audit


async def register_reader(
    session: AsyncSession, device_id: str, *, name: str | None, now: datetime, rotated: bool
) -> None:
    """Insert or re-activate the reader and stamp its credential date."""
    await session.execute(
        text(
            """
            INSERT INTO devices (id, name, status, credential_rotated_at)
            VALUES (:id, :name, 'active', :now)
            ON CONFLICT (id) DO UPDATE SET status = 'active',
                name = COALESCE(EXCLUDED.name, devices.name),
                credential_rotated_at = EXCLUDED.credential_rotated_at,
                credential_revoked_at = NULL
            """
        ),
        {"id": device_id, "name": name, "now": now},
    )
    action = "reader_credentials_rotated" if rotated else "reader_provisioned"
    await audit.record(
        session, [audit.AuditEntry(action, "device", device_id, actor_type="operator")]
    )


async def disable_reader(session: AsyncSession, device_id: str, *, now: datetime) -> bool:
    """Mark the reader `disabled` and its credentials revoked; False if it is not registered."""
    result = await session.execute(
        text(
            "UPDATE devices SET status = 'disabled', credential_revoked_at = :now"
            " WHERE id = :id RETURNING id"
        ),
        {"id": device_id, "now": now},
    )
    found = result.first() is not None
    if found:
        await audit.record(
            session,
            [audit.AuditEntry("reader_revoked", "device", device_id, actor_type="operator")],
        )
    return found


async def record_registration(
    database_url: str, device_id: str, *, name: str | None, now: datetime, rotated: bool
) -> None:
    """Open the database, register the reader in one transaction, close."""
    engine = make_engine(database_url, application_name="sentinel-provision", pool_size=1)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await register_reader(session, device_id, name=name, now=now, rotated=rotated)
    finally:
        await engine.dispose()


async def record_revocation(database_url: str, device_id: str, *, now: datetime) -> bool:
    """Open the database, disable the reader in one transaction, close."""
    engine = make_engine(database_url, application_name="sentinel-provision", pool_size=1)
    try:
        async with make_sessionmaker(engine).begin() as session:
            return await disable_reader(session, device_id, now=now)
    finally:
        await engine.dispose()
