"""Writes to `report_audit_log`: one row per generated report."""

import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import ReportAuditLog


async def record_report(
    session: AsyncSession,
    *,
    report_type: str,
    output_format: str,
    parameters: dict[str, Any],
    row_count: int,
    duration_ms: int,
    actor_type: str,
    actor_id: uuid.UUID | None,
) -> None:
    """Insert one audit row."""
    await session.execute(
        insert(ReportAuditLog).values(
            report_type=report_type,
            output_format=output_format,
            parameters=parameters,
            row_count=row_count,
            duration_ms=duration_ms,
            actor_type=actor_type,
            actor_id=actor_id,
        )
    )
