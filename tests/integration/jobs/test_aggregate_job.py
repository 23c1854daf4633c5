"""The daily aggregate job: refresh `checkin_hourly` and apply retention, once per day."""

from datetime import date, time, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest.jobs import aggregates, scheduler
from shared.domain.report_settings import SettingKey, TimeseriesSettings
from shared.store import occupancy
from shared.store.report_settings import save_section
from tests.fixtures.factories import make_member
from tests.fixtures.operations import POLICY, at_time, check_in

TUESDAY = date(2026, 11, 24)


async def test_refreshes_once_per_operational_day_and_applies_retention(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    morning = at_time(TUESDAY, time(9, 0))
    async with sm.begin() as s:
        member = await make_member(s, last_name="Hourly")
        await check_in(s, member.id, morning - timedelta(days=2))
        await check_in(s, member.id, morning - timedelta(days=400))
        await save_section(
            s, SettingKey.TIMESERIES, TimeseriesSettings(retention_days=365), updated_by=None
        )
        timescale = await occupancy.uses_timescale(s)

    first = await aggregates.run_once(sm, POLICY, now=morning)
    again = await aggregates.run_once(sm, POLICY, now=morning + timedelta(hours=3))
    next_day = await aggregates.run_once(sm, POLICY, now=morning + timedelta(days=1))

    assert first is not None and next_day is not None and again is None
    async with sm() as s:
        kept = await s.scalar(text("SELECT count(*) FROM checkins"))
        runs = await s.scalar(
            text("SELECT count(*) FROM job_runs WHERE job = :j"), {"j": "aggregate_refresh"}
        )
        if not timescale:
            buckets = await s.scalar(text("SELECT count(*) FROM checkin_hourly_mat"))
            assert buckets == 1  # the 400-day-old row was deleted before the refresh
    assert runs == 2
    if not timescale:
        assert "retention deleted 1" in first
        assert kept == 1


async def test_the_scheduler_runs_it_after_the_rollover(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ran = await scheduler.run_due(sessionmaker, POLICY, now=at_time(TUESDAY, time(3, 1)))

    assert ran[:2] == ["rollover", "aggregate_refresh"]
