"""Lockup and DDS summary: cycles, who held and secured, DDS per day, days left unsecured."""

from sqlalchemy.ext.asyncio import AsyncSession

from api.reports.context import ReportContext
from api.schemas.report_results import DdsDayOut, LockupCycleOut, LockupSummaryReport, PeriodOut
from api.schemas.reports import LockupSummaryRequest
from shared.domain.report_settings import format_date
from shared.errors import ServiceUnavailable
from shared.store import lockup_report
from shared.store import reports as report_store


async def lockup_summary_report(
    session: AsyncSession, request: LockupSummaryRequest, ctx: ReportContext
) -> LockupSummaryReport:
    """Cycles and DDS per operational date (domain.md §6.6).

    A past day whose last cycle is not `secured` is listed as not secured.
    """
    for table in lockup_report.LOCKUP_TABLES:
        if not await report_store.table_exists(session, table):
            raise ServiceUnavailable(
                "lockup_tables_missing", "The lockup tables are not migrated", {"table": table}
            )
    ctx.progress("loading lockup cycles")
    cycles = await lockup_report.lockup_cycles(session, request.start_date, request.end_date)
    dds = await lockup_report.dds_days(session, request.start_date, request.end_date)
    last_status = {c.operational_date: c.building_status for c in cycles}
    fmt = ctx.settings.formatting.date_format
    label = f"{format_date(request.start_date, fmt)} – {format_date(request.end_date, fmt)}"
    return LockupSummaryReport(
        title="Lockup and DDS summary",
        generated_at=ctx.now,
        period=PeriodOut(start_on=request.start_date, end_on=request.end_date, label=label),
        cycles=[LockupCycleOut.model_validate(c, from_attributes=True) for c in cycles],
        dds=[DdsDayOut.model_validate(d, from_attributes=True) for d in dds],
        days_not_secured=sorted(
            on for on, status in last_status.items() if status != "secured" and on < ctx.today
        ),
    )
