"""Presence over time: members and visitors in the building per hour, for a day or a week."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.reports.context import ReportContext
from api.schemas.report_results import DayOccupancy, HourOut, PeriodOut, PresenceOverTimeReport
from api.schemas.reports import PresenceOverTimeRequest
from shared.domain.occupancy import HourOccupancy, occupancy_series, peak
from shared.domain.opday import operational_date
from shared.domain.report_settings import format_date
from shared.store import occupancy as occupancy_store


def hour_floor(at: datetime) -> datetime:
    """The UTC hour bucket containing `at` (zones with half-hour offsets start mid-bucket)."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hours_between(start_at: datetime, end_at: datetime) -> list[datetime]:
    """Every hour bucket start in `[start_at, end_at)`; 23 or 25 of them on a DST day."""
    hours = []
    at = start_at
    while at < end_at:
        hours.append(at)
        at += timedelta(hours=1)
    return hours


async def presence_over_time_report(
    session: AsyncSession, request: PresenceOverTimeRequest, ctx: ReportContext
) -> PresenceOverTimeReport:
    """Hourly arrivals, departures and end-of-hour occupancy from `checkin_hourly`."""
    first = request.start_date or ctx.today
    last = first + timedelta(days=request.days - 1)
    start_at = hour_floor(ctx.day_start(first))
    end_at = hour_floor(ctx.day_start(last + timedelta(days=1)))
    ctx.progress("reading the hourly aggregate")
    flows = await occupancy_store.hourly_flows(session, start_at=start_at, end_at=end_at)
    baseline = await occupancy_store.members_present_at(session, start_at)
    visitors = await occupancy_store.visitors_present_at_hours(
        session, start_at=start_at, end_at=end_at
    )
    hours = hours_between(start_at, end_at)
    series = occupancy_series(baseline, flows, hours)
    path = "timescaledb" if await occupancy_store.uses_timescale(session) else "postgresql"
    fmt = ctx.settings.formatting.date_format
    label = (
        format_date(first, fmt)
        if first == last
        else f"{format_date(first, fmt)} – {format_date(last, fmt)}"
    )
    return PresenceOverTimeReport(
        title="Presence over time",
        generated_at=ctx.now,
        period=PeriodOut(start_on=first, end_on=last, label=label),
        aggregate_path=path,
        hours=[
            HourOut(
                bucket_at=h.bucket_at,
                local_label=ctx.local(h.bucket_at).strftime("%a %d %H:%M"),
                arrivals=h.arrivals,
                departures=h.departures,
                members_present=h.present_at_end,
                visitors_present=visitors.get(h.bucket_at, 0),
            )
            for h in series
        ],
        days=_days(series, ctx),
    )


def _days(series: list[HourOccupancy], ctx: ReportContext) -> list[DayOccupancy]:
    by_day: dict[date, list[HourOccupancy]] = {}
    for hour in series:
        on = operational_date(hour.bucket_at, tz=ctx.tz, rollover=ctx.rollover)
        by_day.setdefault(on, []).append(hour)
    out = []
    for on, hours in sorted(by_day.items()):
        top = peak(hours)
        out.append(
            DayOccupancy(
                operational_date=on,
                arrivals=sum(h.arrivals for h in hours),
                peak_members=top.present_at_end if top else 0,
                peak_at=top.bucket_at if top and top.present_at_end else None,
            )
        )
    return out
