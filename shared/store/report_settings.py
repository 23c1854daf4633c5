"""Reading and writing `report_settings`; missing keys and fields fall back to the defaults."""

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import ReportSetting
from shared.domain.report_settings import (
    ReportSettings,
    Section,
    SettingKey,
    section_to_json,
    settings_from_json,
)


async def load_report_settings(session: AsyncSession) -> ReportSettings:
    """Return every report setting, stored values over defaults; unknown keys are ignored."""
    rows = await session.execute(select(ReportSetting.key, ReportSetting.value))
    known = {key.value for key in SettingKey}
    return settings_from_json({key: value for key, value in rows if key in known})


async def save_section(
    session: AsyncSession, key: SettingKey, section: Section, *, updated_by: uuid.UUID | None
) -> None:
    """Store one key's value (insert or replace)."""
    value: dict[str, Any] = section_to_json(section)
    statement = insert(ReportSetting).values(key=key.value, value=value, updated_by=updated_by)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ReportSetting.key],
            set_={"value": value, "updated_by": updated_by, "updated_at": func.now()},
        )
    )
