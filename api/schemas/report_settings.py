"""Bodies of the report-settings endpoints: each key's value is a camelCase JSON object (§9)."""

from typing import Any

from pydantic import BaseModel

from shared.domain.report_settings import SettingKey


class ReportSettingOut(BaseModel):
    """One key with its full value (stored fields over defaults)."""

    key: SettingKey
    value: dict[str, Any]


class AggregateRefreshOut(BaseModel):
    """What a refresh of the check-in aggregate did."""

    path: str
    done: str
