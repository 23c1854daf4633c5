"""Training years and stat holidays: CRUD and the calendar a report period needs (§9)."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import StatHoliday, TrainingYear
from shared.domain.training_calendar import (
    DayException,
    ExceptionType,
    HolidayRange,
    Season,
    TrainingCalendar,
)
from shared.errors import Conflict, NotFound


async def list_training_years(session: AsyncSession) -> list[TrainingYear]:
    """Return every training year, newest first."""
    rows = await session.scalars(select(TrainingYear).order_by(TrainingYear.start_on.desc()))
    return list(rows)


async def get_training_year(session: AsyncSession, year_id: uuid.UUID) -> TrainingYear:
    """Return the training year or raise `NotFound`."""
    year = await session.get(TrainingYear, year_id)
    if year is None:
        raise NotFound("training_year_not_found", "No such training year", {"id": str(year_id)})
    return year


async def find_current_training_year(session: AsyncSession) -> TrainingYear | None:
    """Return the current training year, if one is set."""
    return await session.scalar(select(TrainingYear).where(TrainingYear.is_current))


async def find_training_year_on(session: AsyncSession, on: date) -> TrainingYear | None:
    """Return the training year containing `on` (the latest-starting one if several do)."""
    return await session.scalar(
        select(TrainingYear)
        .where(TrainingYear.start_on <= on, TrainingYear.end_on >= on)
        .order_by(TrainingYear.start_on.desc())
        .limit(1)
    )


async def _flush_unique(session: AsyncSession, what: str, details: dict[str, Any]) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"{what}_exists", f"A {what.replace('_', ' ')} like this exists", details
        ) from exc


async def create_training_year(session: AsyncSession, values: dict[str, Any]) -> TrainingYear:
    """Insert a training year; making it current clears the previous current one."""
    if values.get("is_current"):
        await session.execute(update(TrainingYear).values(is_current=False))
    year = TrainingYear(id=uuid.uuid4(), **values)
    session.add(year)
    await _flush_unique(session, "training_year", {"name": values.get("name")})
    await session.refresh(year)
    return year


async def update_training_year(
    session: AsyncSession, year_id: uuid.UUID, values: dict[str, Any]
) -> TrainingYear:
    """Change a training year's fields."""
    year = await get_training_year(session, year_id)
    if values.get("is_current"):
        await session.execute(
            update(TrainingYear).where(TrainingYear.id != year_id).values(is_current=False)
        )
    for name, value in values.items():
        setattr(year, name, value)
    year.updated_at = func.now()  # SQL expression, evaluated on flush
    await _flush_unique(session, "training_year", {"name": year.name})
    await session.refresh(year)
    return year


async def delete_training_year(session: AsyncSession, year_id: uuid.UUID) -> None:
    """Delete a training year."""
    await get_training_year(session, year_id)
    await session.execute(delete(TrainingYear).where(TrainingYear.id == year_id))


async def list_stat_holidays(
    session: AsyncSession, *, start_on: date | None = None, end_on: date | None = None
) -> list[StatHoliday]:
    """Return stat holidays in date order, optionally within a range."""
    query = select(StatHoliday).order_by(StatHoliday.holiday_on)
    if start_on:
        query = query.where(StatHoliday.holiday_on >= start_on)
    if end_on:
        query = query.where(StatHoliday.holiday_on <= end_on)
    return list(await session.scalars(query))


async def get_stat_holiday(session: AsyncSession, holiday_id: uuid.UUID) -> StatHoliday:
    """Return the stat holiday or raise `NotFound`."""
    holiday = await session.get(StatHoliday, holiday_id)
    if holiday is None:
        raise NotFound("stat_holiday_not_found", "No such stat holiday", {"id": str(holiday_id)})
    return holiday


async def find_stat_holiday_on(session: AsyncSession, on: date) -> StatHoliday | None:
    """Return the stat holiday on `on`, if any."""
    return await session.scalar(select(StatHoliday).where(StatHoliday.holiday_on == on))


async def create_stat_holiday(session: AsyncSession, values: dict[str, Any]) -> StatHoliday:
    """Insert a stat holiday; a second one on the same date is a `Conflict` (§9)."""
    holiday = StatHoliday(id=uuid.uuid4(), **values)
    session.add(holiday)
    await _flush_unique(session, "stat_holiday", {"date": str(values.get("holiday_on"))})
    await session.refresh(holiday)
    return holiday


async def update_stat_holiday(
    session: AsyncSession, holiday_id: uuid.UUID, values: dict[str, Any]
) -> StatHoliday:
    """Change a stat holiday's fields."""
    holiday = await get_stat_holiday(session, holiday_id)
    for name, value in values.items():
        setattr(holiday, name, value)
    await _flush_unique(session, "stat_holiday", {"date": str(holiday.holiday_on)})
    return holiday


async def delete_stat_holiday(session: AsyncSession, holiday_id: uuid.UUID) -> None:
    """Delete a stat holiday."""
    await get_stat_holiday(session, holiday_id)
    await session.execute(delete(StatHoliday).where(StatHoliday.id == holiday_id))


def year_calendar(year: TrainingYear) -> TrainingCalendar:
    """The exclusions one training year defines (stored JSON → domain values)."""
    ranges = tuple(
        HolidayRange(
            date.fromisoformat(r["start"]), date.fromisoformat(r["end"]), r.get("name", "")
        )
        for r in year.holiday_exclusions
    )
    exceptions = tuple(
        DayException(date.fromisoformat(e["date"]), ExceptionType(e["type"]))
        for e in year.day_exceptions
    )
    return TrainingCalendar(ranges, exceptions, seasons=(Season(year.start_on, year.end_on),))


async def load_calendar(session: AsyncSession, start_on: date, end_on: date) -> TrainingCalendar:
    """Return the exclusions of every training year overlapping the period, and its holidays.

    Once any training year exists, dates outside all training years hold no nights.
    """
    defined = await session.scalar(select(func.count()).select_from(TrainingYear))
    calendar = TrainingCalendar(seasons=() if defined else None)
    years = await session.scalars(
        select(TrainingYear).where(TrainingYear.start_on <= end_on, TrainingYear.end_on >= start_on)
    )
    for year in years:
        calendar = calendar.merged(year_calendar(year))
    holidays = await session.scalars(
        select(StatHoliday.holiday_on).where(
            StatHoliday.is_active,
            StatHoliday.holiday_on >= start_on,
            StatHoliday.holiday_on <= end_on,
        )
    )
    return calendar.merged(TrainingCalendar(stat_holidays=frozenset(holidays)))
