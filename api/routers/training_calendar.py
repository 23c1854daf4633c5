"""Training years and stat holidays (domain.md §1.6, §9; the source left training years unmounted)."""

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends

from api.deps import Actor, SessionDep, require_level
from api.schemas.common import errors
from api.schemas.training_calendar import (
    MAX_YEAR_DAYS,
    StatHolidayCheck,
    StatHolidayCreate,
    StatHolidayOut,
    StatHolidayUpdate,
    TrainingYearCreate,
    TrainingYearOut,
    TrainingYearUpdate,
)
from api.services.audit import record_change, snapshot
from shared.domain.auth import Level, Scope
from shared.errors import InvalidInput, NotFound
from shared.store import training_calendar as calendar_store

router = APIRouter(prefix="/api", tags=["training calendar"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.SETTINGS_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.SETTINGS_WRITE))]
YEAR_FIELDS = ("name", "start_on", "end_on", "holiday_exclusions", "day_exceptions", "is_current")
HOLIDAY_FIELDS = ("holiday_on", "name", "province", "is_active")


def _year_values(body: TrainingYearCreate | TrainingYearUpdate) -> dict[str, Any]:
    # Every training-year column is NOT NULL: an explicit null means "leave as is".
    values: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    for key in ("start_on", "end_on"):
        if key in values:
            values[key] = getattr(body, key)
    return values


@router.get("/training-years", response_model=list[TrainingYearOut], responses=errors())
async def list_training_years(actor: Reader, session: SessionDep) -> list[TrainingYearOut]:
    """List training years, newest first."""
    years = await calendar_store.list_training_years(session)
    return [TrainingYearOut.model_validate(y) for y in years]


@router.get("/training-years/current", response_model=TrainingYearOut, responses=errors(404))
async def get_current_training_year(actor: Reader, session: SessionDep) -> TrainingYearOut:
    """Return the current training year."""
    year = await calendar_store.find_current_training_year(session)
    if year is None:
        raise NotFound("no_current_training_year", "No training year is current")
    return TrainingYearOut.model_validate(year)


@router.get("/training-years/{year_id}", response_model=TrainingYearOut, responses=errors(404))
async def get_training_year(year_id: UUID, actor: Reader, session: SessionDep) -> TrainingYearOut:
    """Return one training year."""
    return TrainingYearOut.model_validate(await calendar_store.get_training_year(session, year_id))


@router.post(
    "/training-years", status_code=201, response_model=TrainingYearOut, responses=errors(409, 422)
)
async def create_training_year(
    body: TrainingYearCreate, actor: Writer, session: SessionDep
) -> TrainingYearOut:
    """Create a training year (Admin); `is_current` moves the current flag to it."""
    year = await calendar_store.create_training_year(session, _year_values(body))
    await record_change(
        session,
        actor,
        "training_year_create",
        "training_year",
        year.id,
        after=snapshot(year, YEAR_FIELDS),
    )
    return TrainingYearOut.model_validate(year)


@router.put(
    "/training-years/{year_id}", response_model=TrainingYearOut, responses=errors(404, 409, 422)
)
async def update_training_year(
    year_id: UUID, body: TrainingYearUpdate, actor: Writer, session: SessionDep
) -> TrainingYearOut:
    """Change a training year (Admin)."""
    year = await calendar_store.get_training_year(session, year_id)
    before = snapshot(year, YEAR_FIELDS)
    values = _year_values(body)
    start, end = values.get("start_on", year.start_on), values.get("end_on", year.end_on)
    if start > end or (end - start).days > MAX_YEAR_DAYS:
        raise InvalidInput(
            "invalid_dates", "start_on must be on or before end_on, within two years"
        )
    year = await calendar_store.update_training_year(session, year_id, values)
    await record_change(
        session,
        actor,
        "training_year_update",
        "training_year",
        year_id,
        before=before,
        after=snapshot(year, YEAR_FIELDS),
    )
    return TrainingYearOut.model_validate(year)


@router.put(
    "/training-years/{year_id}/set-current",
    response_model=TrainingYearOut,
    responses=errors(404),
)
async def set_current_training_year(
    year_id: UUID, actor: Writer, session: SessionDep
) -> TrainingYearOut:
    """Make this the current training year (Admin)."""
    year = await calendar_store.update_training_year(session, year_id, {"is_current": True})
    await record_change(session, actor, "training_year_set_current", "training_year", year_id)
    return TrainingYearOut.model_validate(year)


@router.delete("/training-years/{year_id}", status_code=204, responses=errors(404))
async def delete_training_year(year_id: UUID, actor: Writer, session: SessionDep) -> None:
    """Delete a training year (Admin)."""
    year = await calendar_store.get_training_year(session, year_id)
    before = snapshot(year, YEAR_FIELDS)
    await calendar_store.delete_training_year(session, year_id)
    await record_change(
        session, actor, "training_year_delete", "training_year", year_id, before=before
    )


@router.get("/stat-holidays", response_model=list[StatHolidayOut], responses=errors(422))
async def list_stat_holidays(
    actor: Reader, session: SessionDep, start: date | None = None, end: date | None = None
) -> list[StatHolidayOut]:
    """List stat holidays in date order, optionally between `start` and `end`."""
    holidays = await calendar_store.list_stat_holidays(session, start_on=start, end_on=end)
    return [StatHolidayOut.model_validate(h) for h in holidays]


@router.get("/stat-holidays/check/{on}", response_model=StatHolidayCheck, responses=errors(422))
async def check_stat_holiday(on: date, actor: Reader, session: SessionDep) -> StatHolidayCheck:
    """Tell whether `on` is an active stat holiday."""
    holiday = await calendar_store.find_stat_holiday_on(session, on)
    out = StatHolidayOut.model_validate(holiday) if holiday else None
    return StatHolidayCheck(date=on, is_holiday=bool(holiday and holiday.is_active), holiday=out)


@router.get("/stat-holidays/{holiday_id}", response_model=StatHolidayOut, responses=errors(404))
async def get_stat_holiday(holiday_id: UUID, actor: Reader, session: SessionDep) -> StatHolidayOut:
    """Return one stat holiday."""
    return StatHolidayOut.model_validate(await calendar_store.get_stat_holiday(session, holiday_id))


@router.post(
    "/stat-holidays", status_code=201, response_model=StatHolidayOut, responses=errors(409, 422)
)
async def create_stat_holiday(
    body: StatHolidayCreate, actor: Writer, session: SessionDep
) -> StatHolidayOut:
    """Add a stat holiday (Admin); one per date."""
    holiday = await calendar_store.create_stat_holiday(session, body.model_dump())
    await record_change(
        session,
        actor,
        "stat_holiday_create",
        "stat_holiday",
        holiday.id,
        after=snapshot(holiday, HOLIDAY_FIELDS),
    )
    return StatHolidayOut.model_validate(holiday)


@router.patch(
    "/stat-holidays/{holiday_id}", response_model=StatHolidayOut, responses=errors(404, 409, 422)
)
async def update_stat_holiday(
    holiday_id: UUID, body: StatHolidayUpdate, actor: Writer, session: SessionDep
) -> StatHolidayOut:
    """Change a stat holiday (Admin)."""
    holiday = await calendar_store.get_stat_holiday(session, holiday_id)
    before = snapshot(holiday, HOLIDAY_FIELDS)
    values = body.model_dump(exclude_unset=True)
    # Only the province may be cleared; a null elsewhere means "leave as is".
    values = {k: v for k, v in values.items() if v is not None or k == "province"}
    holiday = await calendar_store.update_stat_holiday(session, holiday_id, values)
    await record_change(
        session,
        actor,
        "stat_holiday_update",
        "stat_holiday",
        holiday_id,
        before=before,
        after=snapshot(holiday, HOLIDAY_FIELDS),
    )
    return StatHolidayOut.model_validate(holiday)


@router.delete("/stat-holidays/{holiday_id}", status_code=204, responses=errors(404))
async def delete_stat_holiday(holiday_id: UUID, actor: Writer, session: SessionDep) -> None:
    """Delete a stat holiday (Admin)."""
    holiday = await calendar_store.get_stat_holiday(session, holiday_id)
    before = snapshot(holiday, HOLIDAY_FIELDS)
    await calendar_store.delete_stat_holiday(session, holiday_id)
    await record_change(
        session, actor, "stat_holiday_delete", "stat_holiday", holiday_id, before=before
    )
