"""Run one report: build it, render JSON, CSV or PDF, and record it in `report_audit_log`."""

import asyncio
import time as monotonic
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.reports.attendance import bmq_report, training_night_report
from api.reports.attendance_layout import attendance_document
from api.reports.context import ReportContext
from api.reports.csv_out import render_csv
from api.reports.document import Document
from api.reports.layout import Layout
from api.reports.lockup import lockup_summary_report
from api.reports.occupancy import presence_over_time_report
from api.reports.operations_layout import (
    daily_document,
    lockup_document,
    presence_document,
    roster_document,
    visitor_document,
)
from api.reports.people import daily_checkin_report, roster_report, visitor_summary_report
from api.schemas.report_results import (
    DailyCheckinReport,
    LockupSummaryReport,
    PresenceOverTimeReport,
    ReportResult,
    RosterReport,
    TrainingNightReport,
    VisitorSummaryReport,
)
from api.schemas.reports import OutputFormat, ReportRequest, ReportType
from shared.errors import InvalidInput
from shared.store.report_audit import record_report

Builder = Callable[[AsyncSession, Any, ReportContext], Awaitable[ReportResult]]
BUILDERS: dict[ReportType, Builder] = {
    ReportType.DAILY_CHECKIN: daily_checkin_report,
    ReportType.TRAINING_NIGHT_ATTENDANCE: training_night_report,
    ReportType.BMQ_ATTENDANCE: bmq_report,
    ReportType.PERSONNEL_ROSTER: roster_report,
    ReportType.VISITOR_SUMMARY: visitor_summary_report,
    ReportType.PRESENCE_OVER_TIME: presence_over_time_report,
    ReportType.LOCKUP_SUMMARY: lockup_summary_report,
}
MEDIA = {
    OutputFormat.JSON: "application/json",
    OutputFormat.CSV: "text/csv; charset=utf-8",
    OutputFormat.PDF: "application/pdf",
}


@dataclass(frozen=True)
class ReportOutput:
    """A finished report: the result, and the file bytes for CSV and PDF."""

    result: ReportResult
    output_format: OutputFormat
    content: bytes | None
    media_type: str
    filename: str
    rows: int


def to_document(result: ReportResult, layout: Layout) -> Document:
    """Lay out any report result."""
    if isinstance(result, TrainingNightReport):
        return attendance_document(result, layout)
    if isinstance(result, DailyCheckinReport):
        return daily_document(result, layout)
    if isinstance(result, RosterReport):
        return roster_document(result, layout)
    if isinstance(result, VisitorSummaryReport):
        return visitor_document(result, layout)
    if isinstance(result, PresenceOverTimeReport):
        return presence_document(result, layout)
    if isinstance(result, LockupSummaryReport):
        return lockup_document(result, layout)
    raise TypeError(f"no layout for {type(result).__name__}")


def render(result: ReportResult, output_format: OutputFormat, layout: Layout) -> bytes | None:
    """CSV or PDF bytes (None for JSON, which the caller serialises)."""
    if output_format is OutputFormat.JSON:
        return None
    document = to_document(result, layout)
    if output_format is OutputFormat.CSV:
        return render_csv(document)
    # Imported here: matplotlib and reportlab take seconds to import, and only PDFs need them.
    from api.reports.pdf_out import render_pdf

    return render_pdf(document)


def row_count(result: ReportResult) -> int:
    """How many lines the report has (for the audit log)."""
    if isinstance(result, TrainingNightReport | RosterReport):
        return len(result.members)
    if isinstance(result, DailyCheckinReport):
        return len(result.ft_present) + len(result.ft_absent) + len(result.reserve_present)
    if isinstance(result, VisitorSummaryReport):
        return len(result.visits)
    if isinstance(result, PresenceOverTimeReport):
        return len(result.hours)
    return len(result.cycles)


async def run_report(
    session: AsyncSession,
    report_type: ReportType,
    request: ReportRequest,
    ctx: ReportContext,
    *,
    output_format: OutputFormat,
    actor_type: str,
    actor_id: uuid.UUID | None,
) -> ReportOutput:
    """Build, render and audit one report inside the caller's transaction."""
    started = monotonic.perf_counter()
    try:
        result = await BUILDERS[report_type](session, request, ctx)
    except ValueError as exc:
        # The calendar rules refuse impossible inputs (e.g. a BMQ course whose training window
        # is empty once the rollover time is applied): that is bad input, not a server error.
        raise InvalidInput("report_input_invalid", str(exc)) from exc
    content = None
    if output_format is not OutputFormat.JSON:
        ctx.progress(f"rendering {output_format.value}")
        layout = Layout(ctx.settings, ctx.tz)
        # Rendering (matplotlib, reportlab) is CPU-bound: keep it off the event loop.
        content = await asyncio.to_thread(render, result, output_format, layout)
    rows = row_count(result)
    await record_report(
        session,
        report_type=report_type.value,
        output_format=output_format.value,
        parameters=request.model_dump(mode="json"),
        row_count=rows,
        duration_ms=round(1000 * (monotonic.perf_counter() - started)),
        actor_type=actor_type,
        actor_id=actor_id,
    )
    stamp = ctx.now.astimezone(ctx.tz).strftime("%Y%m%d-%H%M")
    return ReportOutput(
        result=result,
        output_format=output_format,
        content=content,
        media_type=MEDIA[output_format],
        filename=f"{report_type.value}-{stamp}.{output_format.value}",
        rows=rows,
    )
