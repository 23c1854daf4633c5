"""Key/value settings with JSON values (domain.md §1.6, §9)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select

from api.deps import Actor, ClockDep, SessionDep, require_level
from api.schemas.common import errors
from api.schemas.reference import SettingCategory, SettingOut, SettingWrite
from api.services.audit import record_change
from shared.db.models import Setting
from shared.domain.auth import Level, Scope
from shared.errors import NotFound

router = APIRouter(prefix="/api/settings", tags=["settings"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.SETTINGS_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.SETTINGS_WRITE))]
Key = Annotated[str, Path(pattern=r"^[a-z0-9_.-]{1,100}$")]


@router.get("", response_model=list[SettingOut], responses=errors(422))
async def list_settings(
    actor: Reader, session: SessionDep, category: SettingCategory | None = None
) -> list[SettingOut]:
    """List settings by key."""
    query = select(Setting).order_by(Setting.key)
    if category is not None:
        query = query.where(Setting.category == category.value)
    return [SettingOut.model_validate(s) for s in await session.scalars(query)]


@router.get("/{key}", response_model=SettingOut, responses=errors(404, 422))
async def get_setting(key: Key, actor: Reader, session: SessionDep) -> SettingOut:
    """Return one setting."""
    row = await session.get(Setting, key)
    if row is None:
        raise NotFound("setting_not_found", "No setting with this key")
    return SettingOut.model_validate(row)


@router.put("/{key}", response_model=SettingOut, responses=errors(422))
async def put_setting(
    key: Key, body: SettingWrite, actor: Writer, session: SessionDep, clock: ClockDep
) -> SettingOut:
    """Create or replace a setting (Admin)."""
    row = await session.get(Setting, key, with_for_update=True)
    before = None if row is None else {"value": row.value, "category": row.category}
    if row is None:
        row = Setting(key=key)
        session.add(row)
    row.value, row.category, row.description = body.value, body.category.value, body.description
    row.updated_at, row.updated_by = clock.now(), actor.actor_id
    await session.flush()
    await record_change(
        session,
        actor,
        "setting_create" if before is None else "setting_update",
        "setting",
        key,
        before=before,
        after={"value": row.value, "category": row.category},
    )
    return SettingOut.model_validate(row)


@router.delete("/{key}", status_code=204, responses=errors(404, 422))
async def delete_setting(key: Key, actor: Writer, session: SessionDep) -> None:
    """Delete a setting (Admin)."""
    row = await session.get(Setting, key, with_for_update=True)
    if row is None:
        raise NotFound("setting_not_found", "No setting with this key")
    before = {"value": row.value, "category": row.category}
    await session.delete(row)
    await record_change(session, actor, "setting_delete", "setting", key, before=before)
