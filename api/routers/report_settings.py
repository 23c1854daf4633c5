"""Report settings (domain.md §9): schedule, thresholds, member handling, formatting, timeseries.

A PUT merges the given fields into the key's current value and validates the result, so a
client may send just `{"warningThreshold": 80, "criticalThreshold": 60}`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from api.deps import Actor, SessionDep, require_level
from api.schemas.common import errors
from api.schemas.report_settings import AggregateRefreshOut, ReportSettingOut
from api.services.audit import record_change
from shared.domain.auth import Level, Scope
from shared.domain.report_settings import (
    SettingKey,
    TimeseriesSettings,
    section_from_json,
    section_of,
    section_to_json,
)
from shared.store import occupancy as occupancy_store
from shared.store.report_settings import load_report_settings, save_section

router = APIRouter(prefix="/api", tags=["report settings"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.SETTINGS_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.SETTINGS_WRITE))]
# The JSON boundary: values are checked field by field by `section_from_json`.
Fields = Annotated[dict[str, Any], Body()]


@router.get("/report-settings", response_model=list[ReportSettingOut], responses=errors())
async def list_report_settings(actor: Reader, session: SessionDep) -> list[ReportSettingOut]:
    """Every key with its value (defaults where nothing is stored)."""
    settings = await load_report_settings(session)
    return [
        ReportSettingOut(key=key, value=section_to_json(section_of(settings, key)))
        for key in SettingKey
    ]


@router.get("/report-settings/{key}", response_model=ReportSettingOut, responses=errors(422))
async def get_report_setting(
    key: SettingKey, actor: Reader, session: SessionDep
) -> ReportSettingOut:
    """One key's value."""
    settings = await load_report_settings(session)
    return ReportSettingOut(key=key, value=section_to_json(section_of(settings, key)))


@router.put("/report-settings/{key}", response_model=ReportSettingOut, responses=errors(422))
async def put_report_setting(
    key: SettingKey, fields: Fields, actor: Writer, session: SessionDep
) -> ReportSettingOut:
    """Change some fields of one key (Admin); TimescaleDB policies follow `timeseries`."""
    current = section_to_json(section_of(await load_report_settings(session), key))
    section = section_from_json(key, {**current, **fields})
    await save_section(session, key, section, updated_by=actor.actor_id)
    after = section_to_json(section)
    if isinstance(section, TimeseriesSettings):
        await occupancy_store.apply_policies(session, section)
    await record_change(
        session,
        actor,
        "report_setting_update",
        "report_setting",
        key.value,
        before=current,
        after=after,
    )
    return ReportSettingOut(key=key, value=after)


@router.post(
    "/report-settings/timeseries/refresh", response_model=AggregateRefreshOut, responses=errors()
)
async def refresh_aggregates(actor: Writer, session: SessionDep) -> AggregateRefreshOut:
    """Refresh the hourly check-in aggregate now (Admin); a scheduled job normally does this."""
    settings = await load_report_settings(session)
    done = await occupancy_store.refresh_aggregates(session, settings.timeseries)
    path = "timescaledb" if await occupancy_store.uses_timescale(session) else "postgresql"
    return AggregateRefreshOut(path=path, done=done)
